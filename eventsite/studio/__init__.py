"""The organisers' studio: everything behind /studio/ needs a signed-in organiser.

Studio pages live in several areas' blueprints (transcripts, offers, clips,
recordings beside this one). One guard closes them all: mounting this
blueprint installs it on the app, and it looks at the matched URL rule, not
at the blueprint, so a new route under ``/studio/`` is closed the day it is
written, whatever blueprint holds it and whatever decorators it forgot.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask.blueprints import BlueprintSetupState
from flask_login import login_required

PREFIX = "/studio/"

bp = Blueprint("studio", __name__)


@login_required
def _signed_in() -> None:
    """Nothing: ``login_required`` answers for everyone not signed in."""


def require_organiser():
    """Close every page under ``/studio/`` to everyone but signed-in organisers.

    Sends anyone else to the sign-in page (``login_required``'s answer),
    before any studio view or loader runs.
    """
    rule = request.url_rule
    if rule is not None and (rule.rule + "/").startswith(PREFIX):
        return _signed_in()
    return None


@bp.record_once
def _install_guard(state: BlueprintSetupState) -> None:
    state.app.before_request(require_organiser)


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
