"""The work behind the studio's forms: create, change and delete content."""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa

from .. import signals
from ..events import slugs
from ..events.images import store_person_image
from ..events.models import Consent, Event, Panel, Panelist, Seat, SeatRole, View
from ..extensions import db
from ..offers.models import Offer
from ..storage import media_store, person_key, recording_key


def _aware(value):
    # <input type=datetime-local> has no zone; the studio labels it UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def save_event(data: dict, event: Event | None = None) -> Event:
    """Create an event, or update one; a new name gets a new slug (old one redirects)."""
    if event is None:
        event = Event(slug=slugs.unique_slug(Event, data["name"]), name=data["name"])
        db.session.add(event)
    elif data["name"] != event.name:
        slugs.rename(event, data["name"])
    for field in ("name", "starts_on", "ends_on", "place", "host_organisation", "description"):
        value = data.get(field)
        setattr(event, field, value if value is not None else ("" if field not in ("starts_on", "ends_on") else None))
    db.session.commit()
    signals.event_saved.send(event)
    return event


def save_panel(data: dict, event: Event, panel: Panel | None = None) -> Panel:
    """Create a panel in ``event`` (as a draft), or update one."""
    if panel is None:
        panel = Panel(event=event, slug=slugs.unique_slug(Panel, data["title"], event_id=event.id), title=data["title"])
        db.session.add(panel)
    elif data["title"] != panel.title:
        slugs.rename(panel, data["title"])
    panel.title = data["title"]
    panel.abstract = data.get("abstract") or ""
    panel.starts_at = _aware(data.get("starts_at"))
    panel.venue = data.get("venue") or ""
    panel.credits = data.get("credits") or ""
    panel.comments_open = bool(data.get("comments_open"))
    panel.cartoon_enabled = bool(data.get("cartoon_enabled"))
    if "clips_enabled" in data:
        panel.clips_enabled = bool(data["clips_enabled"])
    if "drafts_public" in data:
        panel.drafts_public = bool(data["drafts_public"])
    if data.get("default_view"):
        panel.default_view = View(data["default_view"])
    if data.get("flock_style") in ("lineup", "directed"):
        panel.flock_style = data["flock_style"]
    db.session.commit()
    signals.panel_saved.send(panel)
    return panel


def save_panelist(
    data: dict, panelist: Panelist | None = None, *, photo=None, avatar=None, max_image_bytes: int
) -> Panelist:
    """Create or update a panelist; images are validated before anything is saved.

    :raise ImageError: a portrait or avatar that is not a usable image.
    """
    if panelist is None:
        panelist = Panelist(slug=slugs.unique_slug(Panelist, data["name"]), name=data["name"])
        db.session.add(panelist)
        db.session.flush()  # the id names the image folder
    elif data["name"] != panelist.name:
        slugs.rename(panelist, data["name"])
    panelist.name = data["name"]
    panelist.headline = data.get("headline") or ""
    panelist.bio = data.get("bio") or ""
    panelist.links = "\n".join(line.strip() for line in (data.get("links") or "").splitlines() if line.strip())
    old_keys = []
    try:
        for kind, upload in (("photo", photo), ("avatar", avatar)):
            if upload:
                old_keys.append(getattr(panelist, f"{kind}_key"))
                setattr(
                    panelist, f"{kind}_key", store_person_image(panelist.id, kind, upload, max_bytes=max_image_bytes)
                )
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    signals.panelist_saved.send(panelist)
    for key in filter(None, old_keys):
        media_store().delete(key)
    return panelist


def seat_panelist(
    panel: Panel, panelist: Panelist, role: SeatRole, position: int | None, consent: Consent | None = None
) -> Seat:
    """Seat a panelist on a panel, or change their role, order and consent if already seated.

    ``position`` None keeps a seat's place, and puts a new seat at the end of the line-up.
    ``consent`` None keeps what was recorded before (nothing, for a new seat).
    """
    seat = db.session.scalar(sa.select(Seat).where(Seat.panel_id == panel.id, Seat.panelist_id == panelist.id))
    if seat is None:
        if position is None:
            position = 1 + max((s.position for s in panel.seats), default=0)
        seat = Seat(panel=panel, panelist=panelist)
        db.session.add(seat)
    seat.role = role
    if position is not None:
        seat.position = position
    if consent is not None:
        seat.consent = consent
    db.session.commit()
    signals.seat_saved.send(seat)
    return seat


def record_consent(seat: Seat, consent: Consent) -> Seat:
    """Record (or change) how the seat's panelist agreed to appear; the public views follow at once."""
    seat.consent = consent
    db.session.commit()
    signals.seat_saved.send(seat)
    return seat


def delete_panelist(panelist: Panelist) -> None:
    """Delete a panelist, their seats and their images (portrait, avatar and drawn birds)."""
    # Every image of a person lives in their folder, and old bird drawings stay there
    # as a cache, so the folder goes rather than the keys the row names.
    folder = person_key(panelist.id)
    signals.deleting.send(panelist)
    db.session.delete(panelist)
    db.session.commit()
    media_store().delete(folder)


def delete_row(row) -> None:
    """Delete an event, panel or seat, with everything under it.

    Recordings go too, and so do free-guide offers scoped to the event or its
    panels (the database cascades them); their files (original, renditions,
    captions, clips, guides) are removed from storage once the database no
    longer points at them.
    """
    panels = row.panels if isinstance(row, Event) else [row] if isinstance(row, Panel) else []
    folders = [recording_key(rec.id) for panel in panels for rec in panel.recordings]
    if isinstance(row, Event | Panel):
        scope = Offer.panel_id.in_([panel.id for panel in panels])
        if isinstance(row, Event):
            scope = sa.or_(scope, Offer.event_id == row.id)
        folders += [f"offers/{offer_id}" for offer_id in db.session.scalars(sa.select(Offer.id).where(scope))]
    signals.deleting.send(row)
    db.session.delete(row)
    db.session.commit()
    for folder in folders:
        media_store().delete(folder)
