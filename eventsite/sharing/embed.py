"""``/embed/<event>/<panel>/``: the player alone, for other sites' iframes."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request

from ..events.loader import load_panel
from ..recordings.player import player_media
from ..security import content_security_policy

bp = Blueprint("embed", __name__)


@bp.route("/<event_slug>/<slug>/")
def panel(event_slug: str, slug: str):
    """The minimal player page; any site may frame it.

    :raise 301: an old slug (embeds pasted before a rename keep working).
    :raise 404: unknown panel, or unpublished and not signed in.
    """
    found = load_panel(event_slug, slug, endpoint="embed.panel")
    media = player_media(found, request.args.get("view"))
    page = render_template("embed/panel.html", panel=found, event=found.event, media=media)
    response = make_response(page)
    # Set here, before the app-wide hook, which only fills in missing headers.
    response.headers["Content-Security-Policy"] = content_security_policy(embed=True)
    return response
