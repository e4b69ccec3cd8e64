"""Comments under panels."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..database import UTCDateTime, utcnow
from ..extensions import db


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    TRASH = "trash"


class Comment(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    panel_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("panel.id"), index=True)
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("comment.id"), index=True)
    author_name: so.Mapped[str] = so.mapped_column(sa.String(100))
    #: Private: never rendered, serialised or hashed onto a page.
    author_email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    author_website: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    #: Set when an organiser replies; shows a badge ("Organiser", "Panelist").
    organiser_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organiser.id"))
    badge: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    #: Markdown as typed, and the sanitised HTML made from it.
    body_source: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    #: Moment in the video the comment refers to, in seconds.
    video_time: so.Mapped[float | None]
    status: so.Mapped[CommentStatus] = so.mapped_column(
        sa.Enum(CommentStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=CommentStatus.PENDING,
        index=True,
    )
    #: Keyed hash of the poster's IP address, for rate limits and blocks.
    ip_hash: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    notify_replies: so.Mapped[bool] = so.mapped_column(default=False)
    #: True once the author deleted it; kept as a placeholder if it has replies.
    deleted: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    edited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    parent: so.Mapped[Comment | None] = so.relationship(remote_side=[id], back_populates="replies")
    replies: so.Mapped[list[Comment]] = so.relationship(back_populates="parent", order_by="Comment.created_at")
