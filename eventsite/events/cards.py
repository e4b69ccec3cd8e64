"""The panel cards of the home and event pages, loaded in a constant number of queries.

A card shows what a video site's thumbnail does: the poster (the flock's when
the panel opens on the birds, exactly as the player would), the duration,
the panelists' faces or birds, and how many views and comments the panel
has. For a list of panels this costs five queries whatever its length: the
seats with their panelists, the ready recordings, their pictures, the view
totals and the comment counts. Loaded seats are handed to the panels'
relationships, so :meth:`Panel.public_views` reads them without a query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for
from sqlalchemy.orm.attributes import set_committed_value

from ..discussion.models import Comment, CommentStatus
from ..extensions import db
from ..recordings.models import Recording, RecordingStatus, Rendition, RenditionKind
from ..recordings.opening import offered_views, opening_view, opens_on_flock
from ..times import clock, iso_duration
from .models import Panel, Panelist, Seat, View
from .stats import PanelViewDay

#: The renditions a card looks at: its two possible posters and what tells the views apart.
CARD_KINDS = (
    RenditionKind.POSTER,
    RenditionKind.FLOCK_POSTER,
    RenditionKind.MP4,
    RenditionKind.HLS,
    RenditionKind.AUDIO,
    RenditionKind.CARTOON,
    RenditionKind.FLOCK,
)


@dataclass
class PanelCard:
    """What one card shows."""

    panel: Panel
    url: str
    #: The poster of the view the player opens on; None without a ready recording.
    poster_key: str | None = None
    duration: float | None = None
    people: list[Panelist] = field(default_factory=list)
    #: Show the panelists as birds: the panel opens on the flock.
    birds: bool = False
    views: int = 0
    comments: int = 0

    @property
    def poster_url(self) -> str | None:
        return url_for("media.media", key=self.poster_key) if self.poster_key else None

    @property
    def duration_clock(self) -> str:
        """ "1:02:03", as the player shows it."""
        return clock(self.duration) if self.duration else ""

    @property
    def duration_iso(self) -> str:
        """ISO 8601 for ``<time datetime>``."""
        return iso_duration(self.duration) if self.duration else ""


def opening_poster(panel: Panel, recording: Recording, kinds: dict[RenditionKind, str]) -> tuple[str | None, bool]:
    """``(poster key, opens on the flock)`` for a panel's ready recording.

    The player's rule (:mod:`eventsite.recordings.opening`) on the few facts
    a card has: the flock's pictures when the player opens on it or the camera
    is not offered. ``tests/events/test_front_page.py`` checks both agree.
    """
    views = offered_views(kinds, bool((recording.probe or {}).get("video")), panel.public_views())
    if opens_on_flock(opening_view(views, (panel.default_view,)), views):
        return kinds.get(RenditionKind.FLOCK_POSTER), True
    return kinds.get(RenditionKind.POSTER), False


def _seats_by_panel(ids: list[int]) -> dict[int, list[Seat]]:
    rows = db.session.scalars(
        sa.select(Seat)
        .join(Seat.panelist)
        .options(so.contains_eager(Seat.panelist))
        .where(Seat.panel_id.in_(ids))
        .order_by(Seat.panel_id, Seat.position, Seat.id)
    )
    seats: dict[int, list[Seat]] = defaultdict(list)
    for seat in rows:
        seats[seat.panel_id].append(seat)
    return seats


def _ready_recordings(ids: list[int]) -> dict[int, tuple[Recording, dict[RenditionKind, str]]]:
    """Each panel's newest ready recording with renditions, and its card renditions by kind."""
    recordings = db.session.scalars(
        sa.select(Recording)
        .where(Recording.panel_id.in_(ids), Recording.status == RecordingStatus.READY)
        .order_by(Recording.id.desc())
    ).all()
    kinds: dict[int, dict[RenditionKind, str]] = defaultdict(dict)
    if recordings:
        rows = db.session.execute(
            sa.select(Rendition.recording_id, Rendition.kind, Rendition.storage_key)
            .where(Rendition.recording_id.in_([r.id for r in recordings]), Rendition.kind.in_(CARD_KINDS))
            .order_by(Rendition.id)
        )
        for recording_id, kind, key in rows:
            kinds[recording_id].setdefault(kind, key)
    ready: dict[int, tuple[Recording, dict[RenditionKind, str]]] = {}
    for recording in recordings:  # newest first
        if recording.panel_id not in ready and kinds.get(recording.id):
            ready[recording.panel_id] = (recording, kinds[recording.id])
    return ready


def _totals(query) -> dict[int, int]:
    return {panel_id: int(total or 0) for panel_id, total in db.session.execute(query)}


def panel_cards(panels: list[Panel]) -> list[PanelCard]:
    """Cards for ``panels`` (already checked to be listed), in the same order."""
    ids = [panel.id for panel in panels]
    if not ids:
        return []
    seats = _seats_by_panel(ids)
    ready = _ready_recordings(ids)
    views = _totals(
        sa.select(PanelViewDay.panel_id, sa.func.sum(PanelViewDay.views))
        .where(PanelViewDay.panel_id.in_(ids))
        .group_by(PanelViewDay.panel_id)
    )
    comments = _totals(
        sa.select(Comment.panel_id, sa.func.count(Comment.id))
        .where(Comment.panel_id.in_(ids), Comment.status == CommentStatus.APPROVED, ~Comment.deleted)
        .group_by(Comment.panel_id)
    )
    cards = []
    for panel in panels:
        set_committed_value(panel, "seats", seats.get(panel.id, []))
        card = PanelCard(
            panel=panel,
            url=url_for("events.panel", event_slug=panel.event.slug, slug=panel.slug),
            people=[seat.panelist for seat in panel.seats],
            views=views.get(panel.id, 0),
            comments=comments.get(panel.id, 0),
        )
        if panel.id in ready:
            recording, kinds = ready[panel.id]
            card.poster_key, card.birds = opening_poster(panel, recording, kinds)
            card.duration = recording.duration_seconds
        else:
            # Nothing to watch yet: the line-up is birds unless everyone agreed to the camera.
            card.birds = View.VIDEO not in panel.public_views()
        cards.append(card)
    return cards
