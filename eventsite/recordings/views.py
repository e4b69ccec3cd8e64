"""Studio pieces of recordings that the upload page fetches while it runs."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..studio.loaders import panel_or_404

bp = Blueprint("recordings", __name__)


@bp.route("/studio/panels/<int:panel_id>/recordings")  # closed by the studio's one guard
def panel_recordings(panel_id: int) -> str:
    """The recordings section of a panel's studio page, re-fetched after each upload.

    :raise 404: no such panel, or one of an event this organiser does not manage.
    """
    panel = panel_or_404(panel_id)
    return render_template("studio/_recordings.html", panel=panel)
