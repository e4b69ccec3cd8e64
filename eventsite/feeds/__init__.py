"""Following an event from outside the site: Atom feeds of published panels,
a podcast per event (RSS 2.0 with iTunes and Podcasting 2.0 tags), its cover
and the JSON chapters it links to."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feed routes."""
    from . import views

    app.register_blueprint(views.bp)
