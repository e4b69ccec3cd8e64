"""Verified panelists: a magic link from the organisers, then a browser that comments as them.

An organiser types the panelist's address in the studio and sends a link
(signed, expiring, single use: its nonce is stored and cleared when used).
Opening it gives that browser a long-lived signed cookie naming the
panelist and the access row's ``version``. From then on that browser's
comments on the panelist's panels carry their name, their portrait or bird
and a "Panelist" badge, and are published at once. A revoke raises the
version, so every browser's grant stops working at the next request.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, request

from ..database import utcnow, write_transaction
from ..events.models import Panel, Panelist, Seat
from ..extensions import db
from ..mail import queue_mail
from . import notifications, tokens
from .models import PanelistAccess
from .tokens import LinkProblem


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
    return float(current_app.config.get("PANELIST_LINK_HOURS", 72)) * 3600


def access_for(panelist: Panelist) -> PanelistAccess | None:
    """The panelist's access row, if an organiser ever sent them a link."""
    return db.session.scalar(sa.select(PanelistAccess).where(PanelistAccess.panelist_id == panelist.id))


def send_magic_link(panelist: Panelist, email: str, now: datetime | None = None) -> bool:
    """Mail ``panelist`` a fresh sign-in link at ``email`` (replacing any unused one).

    Returns whether the mail went out. Browsers already signed in keep
    working; revoke for that.
    """
    email = tokens.normalise_email(email)
    nonce = secrets.token_urlsafe(24)
    with write_transaction() as session:
        access = access_for(panelist)
        if access is None:
            access = PanelistAccess(panelist_id=panelist.id, email=email, version=1)
            session.add(access)
        access.email = email
        access.link_nonce = nonce
        access.link_sent_at = now or utcnow()
    token = tokens.panelist_link_token(panelist.id, nonce)
    link = notifications.absolute_url("discussion.panelist_welcome", token=token)
    body = notifications.render(
        "discussion/email/panelist_link.txt", panelist=panelist, link=link, hours=round(link_max_age() / 3600)
    )
    return queue_mail(email, "Your link to comment as yourself on the panels", body)


def check_magic_link(token: str) -> PanelistAccess:
    """The access a magic link opens, if it can still be used.

    :raise LinkProblem: forged (400), expired, used, replaced or revoked (410).
    """
    panelist_id, nonce = tokens.read_panelist_link_token(token, link_max_age())
    access = db.session.scalar(sa.select(PanelistAccess).where(PanelistAccess.panelist_id == panelist_id))
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


def revoke(panelist: Panelist) -> bool:
    """Stop every browser of ``panelist`` commenting as them, and any unused link; False if none."""
    with write_transaction():
        access = access_for(panelist)
        if access is None:
            return False
        access.version += 1
        access.link_nonce = None
        access.granted_at = None
        access.notify_new_comments = False
    return True


def browser_voice() -> Voice | None:
    """The panelist this browser may comment as (signed cookie, current version), or None."""
    found = tokens.read_panelist_cookie(request.cookies.get(tokens.PANELIST_COOKIE))
    if found is None:
        return None
    panelist_id, version = found
    access = db.session.scalar(sa.select(PanelistAccess).where(PanelistAccess.panelist_id == panelist_id))
    if access is None or access.version != version or access.granted_at is None:
        return None
    return Voice(access.panelist, access)


def voice_on(panel: Panel) -> Voice | None:
    """This browser's panelist voice on ``panel``: only on panels they sit on."""
    voice = browser_voice()
    if voice is None:
        return None
    seated = any(seat.panelist_id == voice.panelist.id for seat in panel.seats)
    return voice if seated else None


def panels_of(panelist: Panelist) -> list[Panel]:
    """The panels ``panelist`` sits on, newest first (for their page)."""
    return list(
        db.session.scalars(
            sa.select(Panel)
            .join(Seat, Seat.panel_id == Panel.id)
            .where(Seat.panelist_id == panelist.id)
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
    access = db.session.scalar(sa.select(PanelistAccess).where(PanelistAccess.panelist_id == found[0]))
    if access is None or access.version != found[1]:
        return None
    set_notifications(access, False)
    return access
