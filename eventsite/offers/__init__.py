"""Free guides (lead magnets): offers beside the video, and double opt-in subscribers."""

from __future__ import annotations

from flask import Flask

from . import models  # noqa: F401  (tables known to SQLAlchemy and Alembic)


def init_app(app: Flask) -> None:
    """Register the public and studio endpoints and the panel page's offer block."""
    from . import block, studio_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(studio_views.bp)
    block.init_app(app)
