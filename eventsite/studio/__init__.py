"""The organisers' studio: everything behind /studio/ needs a signed-in organiser."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("studio", __name__)


@bp.before_request
@login_required
def require_organiser():
    """Close every studio page to everyone but signed-in organisers."""


from . import (  # noqa: E402,F401  (routes register on bp)
    events_views,
    media_views,
    moderation_views,
    panelist_access_views,  # noqa: E402,F401  (magic links for verified panelists)
    people_views,
    recordings_views,
    speech_views,
    team_views,  # admins: organisers' accounts
    token_views,  # everyone's API tokens
)
