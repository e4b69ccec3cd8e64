"""The discussion under every panel: comments, moderation rules, notifications."""

from __future__ import annotations

from flask import Flask

from . import models  # noqa: F401  (tables known to SQLAlchemy and Alembic)


def init_app(app: Flask) -> None:
    """Register the public discussion endpoints and the template helpers."""
    from . import access_views, context, views  # noqa: F401  (access_views adds routes to views.bp)

    app.register_blueprint(views.bp)
    context.init_app(app)
