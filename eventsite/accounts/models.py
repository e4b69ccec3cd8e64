"""Organiser accounts."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db


class Role(enum.StrEnum):
    ORGANISER = "organiser"
    ADMIN = "admin"


class Organiser(UserMixin, db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: argon2id PHC string, e.g. ``$argon2id$v=19$m=65536,t=3,p=4$…``.
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(300))
    role: so.Mapped[Role] = so.mapped_column(
        value_enum(Role),
        default=Role.ORGANISER,
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    tokens: so.Mapped[list[ApiToken]] = so.relationship(back_populates="organiser", cascade="all, delete-orphan")


class ApiToken(db.Model):
    """A personal token for command-line clients (``Authorization: Bearer …``)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organiser_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organiser.id"), index=True)
    #: sha256 of the token; the token itself is shown once and never stored.
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    organiser: so.Mapped[Organiser] = so.relationship(back_populates="tokens")

    @staticmethod
    def hash_token(token: str) -> str:
        # Tokens are 256-bit random values, so a fast hash is enough here.
        return hashlib.sha256(token.encode()).hexdigest()
