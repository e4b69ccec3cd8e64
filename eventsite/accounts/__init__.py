"""Organiser accounts: sign-in, passwords, API tokens."""

from __future__ import annotations

from flask import Flask

from ..extensions import db, login_manager
from .models import Organiser
from .views import bp


def init_app(app: Flask) -> None:
    """Bind Flask-Login and register the accounts blueprint."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in as an organiser to see that page."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_organiser(user_id: str) -> Organiser | None:
        return db.session.get(Organiser, int(user_id)) if user_id.isascii() and user_id.isdigit() else None

    app.register_blueprint(bp)
