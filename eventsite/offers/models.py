"""Free-guide offers and the addresses that asked for them (double opt-in)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..database import UTCDateTime, utcnow
from ..extensions import db

#: What the button says unless the organiser writes something else (the model page's words).
DEFAULT_BUTTON_TEXT = "It's free!"


class Offer(db.Model):
    """A free guide offered for an e-mail address, beside a panel's video.

    Where it shows follows its scope: with ``panel_id`` on that panel, with
    ``event_id`` on the event's panels, with neither on every panel; the most
    specific live offer wins on each page.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: One or two sentences under the title (plain text).
    pitch: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    button_text: so.Mapped[str] = so.mapped_column(sa.String(60), default=DEFAULT_BUTTON_TEXT)
    #: The organiser's words beside the consent checkbox; copied onto each subscriber.
    consent_text: so.Mapped[str] = so.mapped_column(sa.Text)
    #: Storage key of the checked PDF (``offers/<id>/…``): never served by its key,
    #: only through a signed download link.
    file_key: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    #: The name the download is saved under (made from the title, not the upload's name).
    file_name: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    file_size: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    file_sha256: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    event_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    panel_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    #: Off: the block disappears and sign-ups stop; subscribers stay.
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: so.Mapped["Event | None"] = so.relationship()  # noqa: F821, UP037
    panel: so.Mapped["Panel | None"] = so.relationship()  # noqa: F821, UP037
    subscribers: so.Mapped[list[Subscriber]] = so.relationship(
        back_populates="offer", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def scope_label(self) -> str:
        """Where the offer shows, in words for the studio."""
        if self.panel is not None:
            return f"Panel: {self.panel.title}"
        if self.event is not None:
            return f"Event: {self.event.name}"
        return "Every panel"

    def __repr__(self) -> str:
        return f"<Offer {self.id} {self.title!r}>"


class Subscriber(db.Model):
    """One address that asked for one offer's guide.

    The row is written at sign-up (so the confirmation link names it) and
    counts as a subscriber only once ``confirmed_at`` is set; unconfirmed rows
    are deleted when their link has expired.
    """

    __table_args__ = (sa.UniqueConstraint("offer_id", "email"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    offer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    #: Private: shown to organisers in the studio and its CSV, never on a public page.
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    #: The consent text the person agreed to, as it read when they signed up.
    consent_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: When the last confirmation mail went out (unconfirmed rows expire from it).
    mailed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    #: Set by the one-click unsubscribe; no more mail, and no new download links.
    unsubscribed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    offer: so.Mapped[Offer] = so.relationship(back_populates="subscribers")

    @property
    def subscribed(self) -> bool:
        """Confirmed and not unsubscribed since."""
        return self.confirmed_at is not None and self.unsubscribed_at is None
