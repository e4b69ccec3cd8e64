"""What can be done with organiser accounts."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from ..extensions import db
from .models import ApiToken, Organiser, Role
from .passwords import dummy_hash, hash_password, needs_rehash, verify_password


class AccountError(Exception):
    """A request about accounts that cannot be done, in plain words."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_organiser(email: str, name: str, password: str, role: Role = Role.ORGANISER) -> Organiser:
    """Create an organiser account.

    :raise AccountError: if the e-mail is taken or the password is too short.
    """
    email = normalise_email(email)
    if len(password) < 8:
        raise AccountError("The password must be at least 8 characters long.")
    if db.session.scalar(sa.select(Organiser).where(Organiser.email == email)):
        raise AccountError(f"An organiser with the e-mail {email} already exists.")
    organiser = Organiser(
        email=email, name=name or email.split("@")[0], password_hash=hash_password(password), role=role
    )
    db.session.add(organiser)
    db.session.commit()
    return organiser


def authenticate(email: str, password: str) -> Organiser | None:
    """Return the organiser for these credentials, or None.

    Upgrades the stored hash when the configured cost has risen.
    """
    organiser = db.session.scalar(sa.select(Organiser).where(Organiser.email == normalise_email(email)))
    if organiser is None:
        verify_password(dummy_hash(), password)
        return None
    if not verify_password(organiser.password_hash, password):
        return None
    if needs_rehash(organiser.password_hash):
        organiser.password_hash = hash_password(password)
        db.session.commit()
    return organiser


def create_token(organiser: Organiser) -> str:
    """Make a personal API token; only its hash is stored, so show it once."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(organiser=organiser, token_hash=ApiToken.hash_token(token)))
    db.session.commit()
    return token


def organiser_for_token(token: str) -> Organiser | None:
    """The organiser a bearer token belongs to, or None."""
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_token(token)))
    return row.organiser if row else None
