"""The public, read-only JSON API at ``/api/v1/`` and its OpenAPI 3.1 document."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API under ``/api/v1``."""
    from . import views

    app.register_blueprint(views.bp, url_prefix="/api/v1")
