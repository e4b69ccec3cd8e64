"""Verified panelists: a magic link from the organisers, then a browser that comments as them.

An organiser types the panelist's address in the studio and sends a link
(signed, expiring, single use: its nonce is stored and cleared when used).
Opening it gives that browser a long-lived signed cookie naming the
access row and its ``version``. From then on that browser's comments on the
panelist's panels *of that event* carry their name, their portrait or bird
and a "Panelist" badge, and are published at once. A revoke raises the
version, so every browser's grant stops working at the next request.

Access is per panelist and event: people are shared between events, and the
organisers of one event neither see the address typed by another's, nor
replace or revoke its link, nor give a badge on its panels.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, request

from ..database import utcnow, write_transaction
from ..events.models import Event, Panel, Panelist, Seat
from ..extensions import db
from ..mail import queue_mail
from ..signed import LinkProblem
from . import notifications, tokens
from .models import PanelistAccess


@dataclass
class Voice:
    """A browser allowed to speak as a panelist."""

    panelist: Panelist
    access: PanelistAccess

    @property
    def email(self) -> str:
        return self.access.email


def link_max_age() -> float:
    """Seconds a magic link stays valid."""
    return float(current_app.config["PANELIST_LINK_HOURS"]) * 3600


def access_for(panelist: Panelist, event: Event) -> PanelistAccess | None:
    """The panelist's access on ``event``'s panels, if its organisers ever sent them a link."""
    return db.session.scalar(
        sa.select(PanelistAccess).where(PanelistAccess.panelist_id == panelist.id, PanelistAccess.event_id == event.id)
    )


def send_magic_link(panelist: Panelist, event: Event, email: str, now: datetime | None = None) -> bool:
    """Mail ``panelist`` a fresh sign-in link for ``event``'s panels at ``email`` (replacing any
    unused one for that event; other events' links are untouched).

    Returns whether the mail went out. Browsers already signed in keep
    working; revoke for that.
    """
    email = tokens.normalise_email(email)
    nonce = secrets.token_urlsafe(24)
    with write_transaction() as session:
        access = access_for(panelist, event)
        if access is None:
            access = PanelistAccess(panelist_id=panelist.id, event_id=event.id, email=email, version=1)
            session.add(access)
        access.email = email
        access.link_nonce = nonce
        access.link_sent_at = now or utcnow()
    token = tokens.panelist_link_token(access.id, nonce)
    link = notifications.absolute_url("discussion.panelist_welcome", token=token)
    body = notifications.render(
        "discussion/email/panelist_link.txt", panelist=panelist, link=link, hours=round(link_max_age() / 3600)
    )
    return queue_mail(email, "Your link to comment as yourself on the panels", body)


def check_magic_link(token: str) -> PanelistAccess:
    """The access a magic link opens, if it can still be used.

    :raise LinkProblem: forged (400), expired, used, replaced or revoked (410).
    """
    access_id, nonce = tokens.read_panelist_link_token(token, link_max_age())
    access = db.session.get(PanelistAccess, access_id)
    if access is None or not access.link_nonce or not hmac.compare_digest(access.link_nonce, nonce):
        raise LinkProblem(
            "This sign-in link was already used, or a newer one replaced it: each link works once. "
            "Please ask the organisers for a new one.",
            410,
        )
    return access


def open_magic_link(token: str, now: datetime | None = None) -> PanelistAccess:
    """Use a magic link: it is spent, and the caller gives the browser its grant cookie.

    :raise LinkProblem: see :func:`check_magic_link`; also when two clicks race.
    """
    access = check_magic_link(token)
    nonce = access.link_nonce
    with write_transaction() as session:
        done = session.execute(
            sa.update(PanelistAccess)
            .where(PanelistAccess.id == access.id, PanelistAccess.link_nonce == nonce)
            .values(link_nonce=None, granted_at=now or utcnow())
        ).rowcount
    if not done:
        raise LinkProblem("This sign-in link was already used: each link works once.", 410)
    db.session.refresh(access)
    return access


def revoke(panelist: Panelist, event: Event) -> bool:
    """Stop every browser of ``panelist`` commenting as them on ``event``'s panels, and any unused
    link for it; False if none."""
    with write_transaction():
        access = access_for(panelist, event)
        if access is None:
            return False
        access.version += 1
        access.link_nonce = None
        access.granted_at = None
        access.notify_new_comments = False
    return True


def browser_grants() -> list[tuple[int, int]]:
    """The ``(access id, version)`` pairs of this browser's cookie, oldest first."""
    return tokens.read_panelist_cookie(request.cookies.get(tokens.PANELIST_COOKIE))


def browser_voices() -> list[Voice]:
    """Every grant of this browser that still holds (current version, not revoked), newest first."""
    voices = []
    for access_id, version in reversed(browser_grants()):
        access = db.session.get(PanelistAccess, access_id)
        if access is not None and access.version == version and access.granted_at is not None:
            voices.append(Voice(access.panelist, access))
    return voices


def browser_voice() -> Voice | None:
    """The newest panelist grant this browser holds (for the panelist's own page), or None."""
    return next(iter(browser_voices()), None)


def voice_on(panel: Panel) -> Voice | None:
    """This browser's panelist voice on ``panel``: a grant of the panel's event, for a panelist
    who sits on it."""
    seated = {seat.panelist_id for seat in panel.seats}
    for voice in browser_voices():
        if voice.access.event_id == panel.event_id and voice.panelist.id in seated:
            return voice
    return None


def panels_of(voice: Voice) -> list[Panel]:
    """The panels of the grant's event that its panelist sits on, newest first (for their page)."""
    return list(
        db.session.scalars(
            sa.select(Panel)
            .join(Seat, Seat.panel_id == Panel.id)
            .where(Seat.panelist_id == voice.panelist.id, Panel.event_id == voice.access.event_id)
            .order_by(Panel.starts_at.desc().nulls_last(), Panel.id.desc())
        )
    )


def set_notifications(access: PanelistAccess, on: bool) -> None:
    """Opt in or out of mails about new comments on the panelist's panels."""
    with write_transaction():
        db.session.get(PanelistAccess, access.id).notify_new_comments = on


def stop_notifications(token: str) -> PanelistAccess | None:
    """One-click stop from a new-comment mail; None when the link is not valid (or revoked since)."""
    found = tokens.read_panelist_stop_token(token)
    if found is None:
        return None
    access = db.session.get(PanelistAccess, found[0])
    if access is None or access.version != found[1]:
        return None
    set_notifications(access, False)
    return access
