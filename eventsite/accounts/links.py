"""Mailed links to choose a password: invitations (from an admin) and resets.

Each link is a row holding the sha256 of a random secret, an expiry and a
"used" time, rather than a token signed with the password hash. A row lets a
newer link (or deactivation) kill older ones at once, makes using it one
conditional UPDATE (two clicks cannot both win), and lets the admins' list
say "invited, link valid until …". Opening the link (GET) changes nothing,
so mail scanners that prefetch links do not spend it; choosing the password
(POST) does.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template

from ..database import utcnow, write_transaction
from ..extensions import db
from ..mail import queue_mail
from ..refusals import Refused
from ..urls import absolute_for
from .models import AccountLink, LinkPurpose, Organiser
from .operations import check_password, find_organiser, set_password


class LinkRefused(Refused):
    """A link that cannot be used (any more), with a sentence for the person who opened it."""

    status = 410


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lifetime(purpose: LinkPurpose) -> timedelta:
    """How long a link of ``purpose`` works (ACCOUNT_INVITE_HOURS, PASSWORD_RESET_MINUTES)."""
    config = current_app.config
    if purpose is LinkPurpose.INVITE:
        return timedelta(hours=float(config["ACCOUNT_INVITE_HOURS"]))
    return timedelta(minutes=float(config["PASSWORD_RESET_MINUTES"]))


def issue_link(organiser: Organiser, purpose: LinkPurpose, now: datetime | None = None) -> str:
    """A fresh link secret for ``organiser``; every older unused link of theirs stops working."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    with write_transaction() as session:
        session.execute(
            sa.update(AccountLink)
            .where(AccountLink.organiser_id == organiser.id, AccountLink.used_at.is_(None))
            .values(used_at=now)
        )
        session.add(
            AccountLink(
                organiser_id=organiser.id,
                purpose=purpose,
                token_hash=_hash(secret),
                created_at=now,
                expires_at=now + lifetime(purpose),
            )
        )
    return secret


def cancel_links(organiser: Organiser) -> None:
    """Stop every unused link of ``organiser`` (deactivation); the caller commits."""
    db.session.execute(
        sa.update(AccountLink)
        .where(AccountLink.organiser_id == organiser.id, AccountLink.used_at.is_(None))
        .values(used_at=utcnow())
    )


def pending_invite(organiser: Organiser) -> AccountLink | None:
    """The unused invitation of an organiser who has no password yet (for the admins' list)."""
    return db.session.scalar(
        sa.select(AccountLink)
        .where(
            AccountLink.organiser_id == organiser.id,
            AccountLink.purpose == LinkPurpose.INVITE,
            AccountLink.used_at.is_(None),
        )
        .order_by(AccountLink.id.desc())
    )


def check_link(secret: str, now: datetime | None = None) -> AccountLink:
    """The link ``secret`` opens, if it can still be used.

    :raise LinkRefused: unknown (404), used or replaced, expired, or the account deactivated (410).
    """
    now = now or utcnow()
    link = db.session.scalar(sa.select(AccountLink).where(AccountLink.token_hash == _hash(secret or "")))
    if link is None:
        raise LinkRefused("This link is not one we sent. Check that the whole link was copied.", 404)
    again = "Ask for a new one: “Forgot your password?” on the sign-in page, or ask an admin."
    if link.used_at is not None:
        raise LinkRefused(f"This link was already used, or a newer one replaced it: each link works once. {again}")
    if link.expires_at <= now:
        raise LinkRefused(f"This link has expired. {again}")
    if not link.organiser.active:
        raise LinkRefused("This account has been deactivated; ask an admin if you need it again.")
    return link


def use_link(secret: str, password: str, now: datetime | None = None) -> Organiser:
    """Choose a password through a link, which is spent; every other session of the account ends.

    :raise LinkRefused: see :func:`check_link`; also when two submissions race.
    :raise AccountError: the password is too short or too long (the link is not spent).
    """
    now = now or utcnow()
    link = check_link(secret, now)
    check_password(password)
    with write_transaction() as session:
        spent = session.execute(
            sa.update(AccountLink)
            .where(AccountLink.id == link.id, AccountLink.used_at.is_(None), AccountLink.expires_at > now)
            .values(used_at=now)
        ).rowcount
    if not spent:
        raise LinkRefused("This link was already used: each link works once.")
    organiser = db.session.get(Organiser, link.organiser_id)
    set_password(organiser, password)
    return organiser


def duration_words(span: timedelta) -> str:
    """``timedelta(days=7)`` → "7 days", ``timedelta(hours=1)`` → "1 hour" (for the mails)."""
    minutes = round(span.total_seconds() / 60)
    for size, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size and minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes} minutes"


def _send(organiser: Organiser, purpose: LinkPurpose, subject: str, template: str, **context) -> bool:
    secret = issue_link(organiser, purpose)
    link = absolute_for("accounts.choose_password", secret=secret)
    body = render_template(
        template, organiser=organiser, link=link, valid_for=duration_words(lifetime(purpose)), **context
    )
    return queue_mail(organiser.email, subject, body)


def send_invite(organiser: Organiser, invited_by: Organiser) -> bool:
    """Mail ``organiser`` a link to choose their password; returns whether the mail went out."""
    site = current_app.config["SITE_NAME"]
    return _send(
        organiser,
        LinkPurpose.INVITE,
        f"You are invited to organise on {site}",
        "accounts/email/invite.txt",
        invited_by=invited_by,
        site=site,
    )


def send_reset(organiser: Organiser) -> bool:
    """Mail ``organiser`` a link to choose a new password; returns whether the mail went out."""
    site = current_app.config["SITE_NAME"]
    return _send(
        organiser, LinkPurpose.RESET, f"Choose a new password for {site}", "accounts/email/reset.txt", site=site
    )


def request_reset(email: str) -> None:
    """ "Forgot your password?": mail a reset link if an active account has this address.

    Says nothing either way: the page answers the same for every address.
    """
    organiser = find_organiser(email)
    if organiser is not None and organiser.active:
        send_reset(organiser)
