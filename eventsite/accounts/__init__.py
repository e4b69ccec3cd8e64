"""Organiser accounts: sign-in, passwords, roles and the events each may manage, API tokens."""

from __future__ import annotations

from flask import Flask

from ..extensions import login_manager
from .models import Organiser
from .operations import load_session_user
from .views import bp


def init_app(app: Flask) -> None:
    """Bind Flask-Login and register the accounts blueprint."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in as an organiser to see that page."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_organiser(user_id: str) -> Organiser | None:
        # A deactivated account, or a session from before a password change, is signed out here.
        return load_session_user(user_id)

    app.register_blueprint(bp)
