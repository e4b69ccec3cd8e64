"""Studio pieces of recordings that the upload page fetches while it runs."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import login_required

from ..events.models import Panel
from ..extensions import db

bp = Blueprint("recordings", __name__)


@bp.route("/studio/panels/<int:panel_id>/recordings")
@login_required
def panel_recordings(panel_id: int) -> str:
    """The recordings section of a panel's studio page, re-fetched after each upload.

    :raise 404: no such panel.
    """
    panel = db.session.get(Panel, panel_id)
    if panel is None:
        abort(404)
    return render_template("studio/_recordings.html", panel=panel)
