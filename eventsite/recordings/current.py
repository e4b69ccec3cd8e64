"""A panel's current recording (the newest that is ready and has renditions), in Python
and in SQL, so the page, the media route and the studio agree on which one plays."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..events.models import Panel
from .models import Recording, RecordingStatus, Rendition


def ready_recording(panel: Panel) -> Recording | None:
    """The newest recording of ``panel`` whose renditions are ready, if any."""
    return next((r for r in panel.recordings if r.status is RecordingStatus.READY and r.renditions), None)


def current_recording_id(panel_id) -> sa.ScalarSelect:
    """SQL for the id of a panel's current recording (the one :func:`ready_recording`
    picks: the newest that is ready and has renditions); ``panel_id`` may be a column."""
    newer = so.aliased(Recording)
    has_files = sa.exists().where(Rendition.recording_id == newer.id)
    return (
        sa.select(sa.func.max(newer.id))
        .where(newer.panel_id == panel_id, newer.status == RecordingStatus.READY, has_files)
        .scalar_subquery()
    )
