"""View counts without cookies or third parties.

The player sends one small POST when playback starts. To count each visitor
once a day we keep a keyed hash of their IP address and browser name, with a
key that changes every day: the hashes cannot be reversed, cannot be linked
from one day to the next, and are deleted once their day is over. Only the
daily totals stay.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from ..database import utcnow
from ..extensions import db
from .models import Panel


class PanelViewDay(db.Model):
    """How many different visitors started a panel's video on one day (UTC)."""

    __table_args__ = (sa.UniqueConstraint("panel_id", "day"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    panel_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    day: so.Mapped[date]
    views: so.Mapped[int] = so.mapped_column(default=0)


class PanelViewer(db.Model):
    """Today's visitors of a panel, as day-keyed hashes; rows of earlier days are deleted."""

    __table_args__ = (sa.UniqueConstraint("panel_id", "day", "visitor"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    panel_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    day: so.Mapped[date] = so.mapped_column(index=True)
    #: HMAC-SHA256 of IP and user agent under a key derived from SECRET_KEY and the day.
    visitor: so.Mapped[str] = so.mapped_column(sa.String(64))


def visitor_hash(ip: str, user_agent: str, day: date) -> str:
    """A keyed hash of the visitor for ``day``; the same visitor hashes differently tomorrow."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    day_key = hmac.new(secret, f"views:{day.isoformat()}".encode(), hashlib.sha256).digest()
    return hmac.new(day_key, f"{ip}\x00{user_agent}".encode(), hashlib.sha256).hexdigest()


def record_view(panel: Panel, ip: str, user_agent: str) -> bool:
    """Count a view of ``panel`` unless this visitor was counted today; True if counted."""
    today = utcnow().date()
    db.session.execute(sa.delete(PanelViewer).where(PanelViewer.day < today))
    visitor = visitor_hash(ip or "", (user_agent or "")[:512], today)
    seen = db.session.scalar(
        sa.select(PanelViewer.id).where(
            PanelViewer.panel_id == panel.id, PanelViewer.day == today, PanelViewer.visitor == visitor
        )
    )
    if seen is not None:
        db.session.commit()
        return False
    db.session.add(PanelViewer(panel_id=panel.id, day=today, visitor=visitor))
    counter = db.session.scalar(
        sa.select(PanelViewDay).where(PanelViewDay.panel_id == panel.id, PanelViewDay.day == today)
    )
    if counter is None:
        counter = PanelViewDay(panel_id=panel.id, day=today, views=0)
        db.session.add(counter)
    counter.views += 1
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # the same visitor's second beacon won a race; it is counted once
        return False
    return True


def total_views(panel: Panel) -> int:
    """Every counted view of ``panel``."""
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(PanelViewDay.views), 0)).where(PanelViewDay.panel_id == panel.id)
    )


def recent_views(panel: Panel, days: int = 30) -> list[tuple[date, int]]:
    """(day, views) for the last ``days`` days that had views, newest first."""
    since = utcnow().date() - timedelta(days=days - 1)
    rows = db.session.execute(
        sa.select(PanelViewDay.day, PanelViewDay.views)
        .where(PanelViewDay.panel_id == panel.id, PanelViewDay.day >= since)
        .order_by(PanelViewDay.day.desc())
    )
    return [(row.day, row.views) for row in rows]
