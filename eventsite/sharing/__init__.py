"""How a panel travels beyond its page: the embeddable player, oEmbed, the
sitemap, and what social sites and search engines read (Open Graph, JSON-LD)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the sharing routes."""
    from . import embed, views

    app.register_blueprint(views.bp)
    app.register_blueprint(embed.bp, url_prefix="/embed")
