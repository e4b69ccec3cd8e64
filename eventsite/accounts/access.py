"""Which events an organiser may manage: the one rule every studio page applies.

Admins, and organisers given every event, manage everything. Any other
organiser manages the events chosen for them (:data:`.models.organiser_event`)
and the events they create; everything belonging to another event (its
panels, recordings, jobs, captions, comments, clips, offers) is, for them,
as if it did not exist: studio pages answer 404 and lists leave it out.

People (panelists) are shared between events, so a limited organiser sees
those who sit on a panel of their events, and those who sit on no panel yet
(new people they are about to seat).
"""

from __future__ import annotations

import sqlalchemy as sa

from ..events.models import Event, Panel, Panelist, Seat
from ..extensions import db
from .models import Organiser, organiser_event


def own_event_ids(organiser: Organiser) -> sa.Select:
    """A SELECT of the ids of the events chosen for ``organiser`` (for ``IN``)."""
    return sa.select(organiser_event.c.event_id).where(organiser_event.c.organiser_id == organiser.id)


def event_scope(organiser: Organiser, event_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """A WHERE condition keeping rows whose ``event_id`` column ``organiser`` manages."""
    if organiser.manages_every_event:
        return sa.true()
    return event_id.in_(own_event_ids(organiser))


def manageable_events_query(organiser: Organiser) -> sa.Select:
    """``SELECT event`` limited to the events ``organiser`` manages."""
    return sa.select(Event).where(event_scope(organiser, Event.id))


def can_manage_event(organiser: Organiser | None, event: Event | int | None) -> bool:
    """Whether ``organiser`` (an active account) may manage ``event`` (an Event or its id)."""
    if organiser is None or not getattr(organiser, "active", False) or event is None:
        return False
    if organiser.manages_every_event:
        return True
    event_id = event if isinstance(event, int) else event.id
    found = db.session.scalar(own_event_ids(organiser).where(organiser_event.c.event_id == event_id))
    return found is not None


def people_scope(organiser: Organiser) -> sa.ColumnElement[bool]:
    """A WHERE condition on :class:`Panelist` keeping the people ``organiser`` may see and edit."""
    if organiser.manages_every_event:
        return sa.true()
    on_own_panel = sa.exists().where(
        Seat.panelist_id == Panelist.id, Seat.panel_id == Panel.id, Panel.event_id.in_(own_event_ids(organiser))
    )
    unseated = ~sa.exists().where(Seat.panelist_id == Panelist.id)
    return sa.or_(on_own_panel, unseated)


def can_see_panelist(organiser: Organiser | None, panelist_id: int) -> bool:
    """Whether ``organiser`` may see (and edit) the panelist ``panelist_id``; see :func:`people_scope`."""
    if organiser is None or not getattr(organiser, "active", False):
        return False
    if organiser.manages_every_event:
        return True
    query = sa.select(Panelist.id).where(Panelist.id == panelist_id, people_scope(organiser))
    return db.session.scalar(query) is not None


def sits_only_on_own_events(organiser: Organiser, panelist_id: int) -> bool:
    """Whether every seat of the panelist is on a panel ``organiser`` manages (so deleting
    them takes nothing away from another event)."""
    if organiser.manages_every_event:
        return True
    elsewhere = sa.exists().where(
        Seat.panelist_id == panelist_id,
        Seat.panel_id == Panel.id,
        Panel.event_id.not_in(own_event_ids(organiser)),
    )
    return not db.session.scalar(sa.select(elsewhere))


def grant_event(organiser: Organiser, event: Event) -> None:
    """Let a limited organiser manage ``event`` (one they just created); the caller commits."""
    if not organiser.manages_every_event and event not in organiser.events:
        organiser.events.append(event)


def panel_scope(organiser: Organiser, panel_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """A WHERE condition keeping rows whose ``panel_id`` column is a panel of an event ``organiser`` manages."""
    if organiser.manages_every_event:
        return sa.true()
    return panel_id.in_(sa.select(Panel.id).where(Panel.event_id.in_(own_event_ids(organiser))))
