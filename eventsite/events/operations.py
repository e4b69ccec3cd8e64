"""Looking up and publishing events, panels and panelists."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from .. import signals
from ..database import utcnow
from ..extensions import db
from .models import Event, Panel, Panelist, PanelStatus, Seat


class PublishError(ValueError):
    """A publishing request that cannot be done, in plain words."""


def listed_condition(now: datetime | None = None):
    """SQL condition for panels shown in lists (:meth:`Panel.is_listed`)."""
    return Panel.is_listed(now)


def latest_panels(limit: int = 12) -> list[Panel]:
    """Listed panels, newest first, with their events loaded in the same query."""
    query = (
        sa.select(Panel)
        .where(listed_condition())
        .options(so.joinedload(Panel.event))
        .order_by(sa.func.coalesce(Panel.publish_at, Panel.created_at).desc(), Panel.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def events_with_listed_panels() -> list[tuple[Event, int]]:
    """Events with listed panels and how many each has, newest event first (an
    event with none is not public)."""
    count = sa.func.count(Panel.id)
    query = (
        sa.select(Event, count)
        .join(Panel, sa.and_(Panel.event_id == Event.id, listed_condition()))
        .group_by(Event.id)
        .order_by(sa.func.coalesce(Event.starts_on, sa.func.date(Event.created_at)).desc(), Event.id.desc())
    )
    return [(event, n) for event, n in db.session.execute(query)]


def listed_panels_of(event: Event) -> list[Panel]:
    """An event's listed panels in programme order."""
    query = (
        sa.select(Panel)
        .where(Panel.event_id == event.id, listed_condition())
        .options(so.selectinload(Panel.seats).joinedload(Seat.panelist))
        .order_by(Panel.starts_at.is_(None), Panel.starts_at, Panel.id)
    )
    return list(db.session.scalars(query))


def public_panels_of(panelist: Panelist) -> list[Panel]:
    """Listed panels a panelist sits on, newest first."""
    query = (
        sa.select(Panel)
        .join(Seat, Seat.panel_id == Panel.id)
        .where(Seat.panelist_id == panelist.id, listed_condition())
        .options(so.joinedload(Panel.event))
        .order_by(Panel.starts_at.desc().nulls_last(), Panel.id.desc())
    )
    return list(db.session.scalars(query))


def find_panel(event: Event, slug: str) -> Panel | None:
    """The event's panel with this slug (seats loaded), whatever its status.

    Callers decide who may see it (see :meth:`Panel.is_public`).
    """
    return db.session.scalar(
        sa.select(Panel)
        .where(Panel.event_id == event.id, Panel.slug == slug)
        .options(so.selectinload(Panel.seats).joinedload(Seat.panelist))
    )


def publish_panel(panel: Panel, status: PanelStatus, publish_at: datetime | None = None) -> None:
    """Set a panel's visibility.

    ``scheduled`` needs a publish time; the panel turns public by itself when
    that time passes (visibility is computed, so no job has to run).

    :raise PublishError: scheduled without a time.
    """
    if status is PanelStatus.SCHEDULED:
        if publish_at is None:
            raise PublishError("Choose when the panel should be published.")
        panel.publish_at = publish_at
    elif status is PanelStatus.PUBLISHED and (panel.publish_at is None or panel.publish_at > utcnow()):
        panel.publish_at = utcnow()
    panel.status = status
    db.session.commit()
    signals.panel_saved.send(panel)


def offer_downloads(panel: Panel, enabled: bool) -> None:
    """Offer the panel's MP4s and sound as downloads on the public page, or stream only."""
    panel.downloads_enabled = enabled
    db.session.commit()
    signals.panel_saved.send(panel)
