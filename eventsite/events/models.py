"""Events, panels and the people who sit on them."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.hybrid import hybrid_method

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db


class PanelStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    UNLISTED = "unlisted"


#: Statuses that are public without a date: anyone with the link may see them.
OPEN_STATUSES = (PanelStatus.PUBLISHED, PanelStatus.UNLISTED)


class View(enum.StrEnum):
    """The ways to watch a panel, from the camera's picture to birds only."""

    VIDEO = "video"
    CARTOON = "cartoon"
    FLOCK = "flock"
    AUDIO = "audio"


class Consent(enum.StrEnum):
    """How a panelist agreed to appear in the published video."""

    #: Their face is fine: every view.
    VIDEO = "video"
    #: A stylised picture of them, not the camera's: cartoon, birds, audio.
    CARTOON = "cartoon"
    #: Only as a bird (and their voice).
    BIRD = "bird"

    @property
    def views(self) -> frozenset[View]:
        """The views this consent allows."""
        return CONSENT_VIEWS[self]


CONSENT_VIEWS = {
    Consent.VIDEO: frozenset(View),
    Consent.CARTOON: frozenset({View.CARTOON, View.FLOCK, View.AUDIO}),
    Consent.BIRD: frozenset({View.FLOCK, View.AUDIO}),
}
#: A seat with no recorded consent counts as "bird only": nobody's face is
#: published on an assumption. The studio warns about such seats.
UNRECORDED_CONSENT = Consent.BIRD


class SeatRole(enum.StrEnum):
    HOST = "host"
    MODERATOR = "moderator"
    PANELIST = "panelist"


class Event(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    starts_on: so.Mapped[date | None]
    ends_on: so.Mapped[date | None]
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: The organisation that hosts the event ("Likeminds").
    host_organisation: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: Markdown source; rendered and sanitised on display.
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    panels: so.Mapped[list[Panel]] = so.relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="(Panel.starts_at.is_(None), Panel.starts_at, Panel.id)",
    )

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class Panel(db.Model):
    __table_args__ = (sa.UniqueConstraint("event_id", "slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("event.id"), index=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(120))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: Markdown source of the abstract.
    abstract: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    starts_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    venue: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: One credit per line ("Hosted by Likeminds", "Video by Brass").
    credits: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[PanelStatus] = so.mapped_column(
        value_enum(PanelStatus),
        default=PanelStatus.DRAFT,
    )
    #: When a scheduled panel becomes public.
    publish_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    comments_open: so.Mapped[bool] = so.mapped_column(default=True)
    #: Make a cartoon rendition of this panel's recordings.
    cartoon_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    #: Offer MP4 and audio downloads on the public page.
    downloads_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    #: Let visitors make quote clips of this panel (organisers always can).
    clips_enabled: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    #: Show automatic (unchecked) captions to the public; off keeps them in the studio
    #: until an organiser edits or replaces them.
    drafts_public: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    #: The view the player opens on (and embeds and links without ?view= follow),
    #: when the panelists' consent allows it.
    default_view: so.Mapped[View] = so.mapped_column(
        value_enum(View),
        default=View.VIDEO,
        server_default="video",
    )
    #: How the feathered friends are filmed: "lineup" (everyone in one fixed view) or
    #: "directed" (shots chosen from who speaks, listeners turned to the speaker); flock.scene.
    flock_style: so.Mapped[str] = so.mapped_column(sa.String(20), default="lineup", server_default="lineup")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: so.Mapped[Event] = so.relationship(back_populates="panels")
    seats: so.Mapped[list[Seat]] = so.relationship(
        back_populates="panel", cascade="all, delete-orphan", order_by="(Seat.position, Seat.id)"
    )
    recordings: so.Mapped[list["Recording"]] = so.relationship(  # noqa: F821
        back_populates="panel", cascade="all, delete-orphan", order_by="Recording.id.desc()"
    )
    comments: so.Mapped[list["Comment"]] = so.relationship(cascade="all, delete-orphan")  # noqa: F821

    # The visibility rule, once: each hybrid below reads the same two facts
    # (OPEN_STATUSES, and a scheduled panel's publish time) in Python for a
    # loaded panel and in SQL for queries; tests/events/test_visibility.py
    # checks both forms agree for every status.

    @hybrid_method
    def is_public(self, now: datetime | None = None) -> bool:
        """True when anyone with the link may see the panel."""
        now = now or utcnow()
        return self.status in OPEN_STATUSES or (
            self.status is PanelStatus.SCHEDULED and self.publish_at is not None and self.publish_at <= now
        )

    @is_public.expression
    def is_public(cls, now: datetime | None = None):  # noqa: N805  (a class-level SQL expression)
        now = now or utcnow()
        return sa.or_(
            cls.status.in_(OPEN_STATUSES), sa.and_(cls.status == PanelStatus.SCHEDULED, cls.publish_at <= now)
        )

    @hybrid_method
    def is_listed(self, now: datetime | None = None) -> bool:
        """True when the panel appears on the home and event pages, feeds and the sitemap."""
        return self.is_public(now) and self.status is not PanelStatus.UNLISTED

    @is_listed.expression
    def is_listed(cls, now: datetime | None = None):  # noqa: N805
        return sa.and_(cls.is_public(now), cls.status != PanelStatus.UNLISTED)

    def public_views(self) -> frozenset[View]:
        """The views every seated panelist agreed to (all of them for an empty panel)."""
        allowed = frozenset(View)
        for seat in self.seats:
            allowed &= (seat.consent or UNRECORDED_CONSENT).views
        return allowed

    @property
    def credit_lines(self) -> list[str]:
        return [line.strip() for line in self.credits.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<Panel {self.slug}>"


class Panelist(db.Model):
    """A person; one panelist can sit on many panels."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: One line under the name ("Founder, Likeminds").
    headline: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: Markdown source of the biography.
    bio: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: One URL per line.
    links: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: Storage keys of the re-encoded images (never client file names).
    photo_key: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    #: The organiser's own bird artwork (one image; the code gives it a beak).
    avatar_key: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    #: The generated bird's body colour ("#b2182b"); None → derived from the name.
    bird_colour: so.Mapped[str | None] = so.mapped_column(sa.String(7))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    seats: so.Mapped[list[Seat]] = so.relationship(back_populates="panelist", cascade="all, delete-orphan")

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<Panelist {self.slug}>"


class Seat(db.Model):
    """A panelist's place on a panel, with a role and an order."""

    __table_args__ = (sa.UniqueConstraint("panel_id", "panelist_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    panel_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("panel.id"), index=True)
    panelist_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("panelist.id"), index=True)
    role: so.Mapped[SeatRole] = so.mapped_column(
        value_enum(SeatRole),
        default=SeatRole.PANELIST,
    )
    #: Display order on the panel page, lowest first.
    position: so.Mapped[int] = so.mapped_column(default=0)
    #: How this panelist agreed to appear; None until the organiser records it.
    consent: so.Mapped[Consent | None] = so.mapped_column(value_enum(Consent))

    panel: so.Mapped[Panel] = so.relationship(back_populates="seats")
    panelist: so.Mapped[Panelist] = so.relationship(back_populates="seats")


class SlugRedirect(db.Model):
    """An old URL slug kept so links keep working after a rename."""

    __table_args__ = (sa.UniqueConstraint("kind", "scope_id", "old_slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: "event", "panel" or "panelist".
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: For panels, the event id (panel slugs are unique per event); else 0.
    scope_id: so.Mapped[int] = so.mapped_column(default=0)
    old_slug: so.Mapped[str] = so.mapped_column(sa.String(120))
    target_id: so.Mapped[int]
