"""What deleting an event or a panel takes with it, counted for the page that asks first.

A selector: it only reads. The delete itself is :func:`.operations.delete_row`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..clips.models import Clip
from ..discussion.models import Comment
from ..events.models import Event, Panel
from ..extensions import db
from ..recordings.models import Recording


@dataclass(frozen=True)
class Loss:
    """How many of each thing a delete removes, for a sentence a person reads before saying yes."""

    panels: int
    recordings: int
    comments: int
    clips: int

    def lines(self) -> list[str]:
        """ "2 panels", "1 recording with its video files", …; the things there are none of left out."""
        counted = [
            (self.panels, "panel", "panels", ""),
            (self.recordings, "recording", "recordings", " with all their video, sound and caption files"),
            (self.comments, "comment", "comments", " from visitors (and their replies)"),
            (self.clips, "quote clip", "quote clips", ""),
        ]
        return [f"{n} {one if n == 1 else many}{tail}" for n, one, many, tail in counted if n]


def loss_of(row: Event | Panel) -> Loss:
    """Count what deleting ``row`` (an event with its panels, or one panel) removes."""
    panel_ids = [p.id for p in row.panels] if isinstance(row, Event) else [row.id]
    recordings = sa.select(Recording.id).where(Recording.panel_id.in_(panel_ids))

    def count(query) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0

    return Loss(
        panels=len(panel_ids) if isinstance(row, Event) else 0,
        recordings=count(recordings),
        comments=count(sa.select(Comment.id).where(Comment.panel_id.in_(panel_ids))),
        clips=count(sa.select(Clip.id).where(Clip.recording_id.in_(recordings))),
    )
