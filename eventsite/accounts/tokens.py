"""Personal API tokens: named, expiring, revocable, stored only as a hash.

A command-line client sends ``Authorization: Bearer <token>``. The answer
to a token that no longer works says why (expired, revoked, account
deactivated), so the person running the script knows to make a new one.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..database import utcnow
from ..extensions import db
from ..refusals import Refused
from .models import ApiToken, Organiser

#: Lifetimes offered on the tokens page, in days (the default is API_TOKEN_DAYS).
TOKEN_DAYS_CHOICES = (7, 30, 90, 365)
#: The longest lifetime the command line accepts.
MAX_TOKEN_DAYS = 3650
#: ``last_used_at`` is written at most this often per token (a player fetches many segments).
LAST_USED_EVERY = timedelta(minutes=1)


class TokenRefused(Refused):
    """A bearer token that does not open anything, with the reason in plain words."""


def default_days() -> int:
    return int(current_app.config["API_TOKEN_DAYS"])


def create_token(organiser: Organiser, name: str = "", days: int | None = None) -> str:
    """Make a personal API token valid for ``days`` (default ``API_TOKEN_DAYS``).

    Only its hash is stored, so the caller shows the returned token once.

    :raise ValueError: ``days`` is not between 1 and :data:`MAX_TOKEN_DAYS`.
    """
    days = default_days() if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValueError(f"A token lasts between 1 and {MAX_TOKEN_DAYS} days.")
    token = secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(
            organiser=organiser,
            token_hash=ApiToken.hash_token(token),
            name=name.strip()[:100],
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    db.session.commit()
    return token


def _day(moment: datetime) -> str:
    return f"{moment:%-d %B %Y}"


def check_token(token: str, now: datetime | None = None) -> Organiser:
    """The organiser a bearer token belongs to; notes that it was used.

    :raise TokenRefused: unknown, revoked or expired token, or a deactivated account.
    """
    now = now or utcnow()
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_token(token)))
    if row is None:
        raise TokenRefused("That API token is not valid.")
    if not row.organiser.active:
        raise TokenRefused("That API token belongs to a deactivated organiser account.")
    if row.revoked_at is not None:
        raise TokenRefused(f"That API token was revoked on {_day(row.revoked_at)}; make a new one in the studio.")
    if row.expires_at <= now:
        raise TokenRefused(f"That API token expired on {_day(row.expires_at)}; make a new one in the studio.")
    organiser = row.organiser
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.id == row.id)
            .where(sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_EVERY))
            .values(last_used_at=now)
        )
        db.session.commit()
    return organiser


def organiser_for_token(token: str) -> Organiser | None:
    """The organiser a bearer token belongs to, or None when it does not work (any reason)."""
    try:
        return check_token(token)
    except TokenRefused:
        return None


def tokens_of(organiser: Organiser) -> list[ApiToken]:
    """Every token of ``organiser``, newest first (revoked and expired ones too)."""
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.organiser_id == organiser.id).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(token: ApiToken) -> None:
    """Stop ``token`` working from now on (kept in the list, marked revoked)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()


def revoke_all(organiser: Organiser) -> int:
    """Revoke every working token of ``organiser``; the caller commits. Returns how many."""
    return db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.organiser_id == organiser.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
