"""Organiser accounts, the events a limited organiser may manage, API tokens, mailed links."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db

if TYPE_CHECKING:
    from ..events.models import Event


class Role(enum.StrEnum):
    #: Manages events (all, or the ones chosen for them) and their panels, media and comments.
    ORGANISER = "organiser"
    #: Everything an organiser does on every event, and manages the organisers' accounts.
    ADMIN = "admin"


#: Which events an organiser without ``all_events`` may manage (and sees in the studio).
organiser_event = sa.Table(
    "organiser_event",
    db.metadata,
    sa.Column("organiser_id", sa.ForeignKey("organiser.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("event_id", sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Organiser(UserMixin, db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: argon2id PHC string, e.g. ``$argon2id$v=19$m=65536,t=3,p=4$…``; empty for an
    #: invited organiser who has not chosen a password yet (nothing verifies against it).
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(300))
    role: so.Mapped[Role] = so.mapped_column(
        value_enum(Role),
        default=Role.ORGANISER,
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: False once an admin deactivated the account: no sign-in, no session, no token.
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    #: Manages every event; otherwise only those in :attr:`events`. Admins always manage every event.
    all_events: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    #: Raised to end every session of the account at once (new password, deactivation):
    #: sessions carry the number they were signed in with (:meth:`get_id`).
    session_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    tokens: so.Mapped[list[ApiToken]] = so.relationship(back_populates="organiser", cascade="all, delete-orphan")
    #: The events a limited organiser manages (ignored with ``all_events`` or the admin role).
    events: so.Mapped[list[Event]] = so.relationship(secondary=organiser_event, order_by="Event.name")

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def manages_every_event(self) -> bool:
        """Admins, and organisers given every event, are not limited to chosen events."""
        return self.is_admin or self.all_events

    @property
    def has_password(self) -> bool:
        """False while an invitation has not been accepted."""
        return bool(self.password_hash)

    @property
    def is_active(self) -> bool:  # Flask-Login: login_user() refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """What the session remembers: the id and the session version it was signed in with."""
        return f"{self.id}.{self.session_version}"


class ApiToken(db.Model):
    """A personal token for command-line clients (``Authorization: Bearer …``)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organiser_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organiser.id"), index=True)
    #: sha256 of the token; the token itself is shown once and never stored.
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    #: What the organiser called it ("laptop upload script"), to tell tokens apart.
    name: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: Refused from this moment on.
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    #: Set when the organiser (or an admin) revoked it; refused from then on.
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    organiser: so.Mapped[Organiser] = so.relationship(back_populates="tokens")

    @staticmethod
    def hash_token(token: str) -> str:
        # Tokens are 256-bit random values, so a fast hash is enough here.
        return hashlib.sha256(token.encode()).hexdigest()

    def status(self, now: datetime) -> str:
        """ "active", "expired" or "revoked", as the tokens page shows it."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


class LinkPurpose(enum.StrEnum):
    #: Sent by an admin to a new organiser: choose a password, and the account is ready.
    INVITE = "invite"
    #: "Forgot your password?" or an admin's reset: choose a new password.
    RESET = "reset"


class AccountLink(db.Model):
    """A mailed link to set a password: single use, expiring, stored only as a hash.

    A row rather than a signed token, so that sending a new link (or
    deactivating the account) kills older ones at once, using one is an
    atomic update, and the admin's list can say "invited, link valid until …".
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organiser_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organiser.id", ondelete="CASCADE"), index=True)
    purpose: so.Mapped[LinkPurpose] = so.mapped_column(value_enum(LinkPurpose))
    #: sha256 of the link's secret (a 256-bit random value), like API tokens.
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    #: Set when the link was used or replaced by a newer one; it never works again.
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    organiser: so.Mapped[Organiser] = so.relationship()
