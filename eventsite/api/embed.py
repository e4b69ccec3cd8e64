"""``/embed/<event>/<panel>/``: the player alone, for other sites' iframes."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template

from ..security import EMBED_CONTENT_SECURITY_POLICY
from .views import public_panel

bp = Blueprint("embed", __name__)


@bp.route("/<event_slug>/<slug>/")
def panel(event_slug: str, slug: str):
    """The minimal player page; any site may frame it.

    :raise 404: unknown panel, or unpublished and not signed in.
    """
    found = public_panel(event_slug, slug, organisers_too=True)
    response = make_response(render_template("embed/panel.html", panel=found, event=found.event))
    # Set here, before the app-wide hook, which only fills in missing headers.
    response.headers["Content-Security-Policy"] = EMBED_CONTENT_SECURITY_POLICY
    return response
