"""Ways in from outside the page: oEmbed, the embeddable player, the sitemap,
the view-count beacon and caption files; and the player's template helpers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API and embed blueprints and the player's template globals."""
    from ..events import seo, stats  # noqa: F401  (stats: view-count tables known to SQLAlchemy)
    from ..extensions import csrf
    from ..recordings.chapters import format_time
    from . import embed, player, views

    # The beacon carries no cookie-based authority: it only counts, once a day per visitor.
    csrf.exempt(views.count_view)
    app.register_blueprint(views.bp)
    app.register_blueprint(embed.bp, url_prefix="/embed")
    app.add_template_global(player.player_media)
    app.add_template_global(views.oembed_discovery_url)
    app.add_template_global(seo.video_object)
    app.add_template_global(seo.absolute, "site_url")
    app.add_template_filter(format_time, "clock")
