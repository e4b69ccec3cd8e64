"""Comments under panels, and the blocks organisers place on senders."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    TRASH = "trash"


class Comment(db.Model):
    __table_args__ = (
        # The thread of a panel is read in one indexed scan, oldest first.
        sa.Index("ix_comment_panel_status_created", "panel_id", "status", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    panel_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("comment.id"), index=True)
    #: The top-level comment this one answers, directly or through other replies;
    #: None for a top-level comment. Pages of the discussion are made of whole
    #: threads, and this lets one query load a page's threads and nothing else.
    #: Set on insert (see :func:`_join_parents_thread`). No foreign key: adding
    #: one would make SQLite rebuild the table in the migration, and a
    #: top-level comment is never deleted while it has replies anyway.
    thread_id: so.Mapped[int | None] = so.mapped_column(index=True)
    #: 1 for a top-level comment; never more than ``COMMENT_MAX_DEPTH``.
    depth: so.Mapped[int] = so.mapped_column(default=1)
    author_name: so.Mapped[str] = so.mapped_column(sa.String(100))
    #: Private: never rendered, serialised or hashed onto a page.
    author_email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    author_website: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    #: Set when an organiser replies; shows a badge ("Organiser").
    organiser_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organiser.id", ondelete="SET NULL"))
    badge: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    #: The verified panelist who wrote it (from a browser their magic link
    #: signed in); only such comments show the "Panelist" badge and portrait.
    #: No foreign key, for the same reason as ``thread_id``; a deleted
    #: panelist's comments fall back to the neutral avatar.
    panelist_id: so.Mapped[int | None] = so.mapped_column(index=True)
    #: True when the author proved they own ``author_email``: they posted from
    #: a browser that confirmed it, or followed the link mailed for this
    #: comment. Only such comments get the author's avatar, count towards
    #: "previously approved" and send reply notifications.
    confirmed: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    #: Markdown as typed, and the sanitised HTML made from it.
    body_source: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    #: Moment in the video the comment refers to, in seconds.
    video_time: so.Mapped[float | None]
    status: so.Mapped[CommentStatus] = so.mapped_column(
        value_enum(CommentStatus),
        default=CommentStatus.PENDING,
        index=True,
    )
    #: Keyed hash of the poster's IP address, for rate limits.
    ip_hash: so.Mapped[str] = so.mapped_column(sa.String(64), default="", index=True)
    #: Keyed hash of the poster's network (/24 or /56), so a range can be blocked.
    network_hash: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    notify_replies: so.Mapped[bool] = so.mapped_column(default=False)
    #: When the parent's author was told about this reply; None until then.
    notified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: When the panel's panelists who asked were told about this comment.
    announced_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: True once the author deleted it; kept as a placeholder if it has replies.
    deleted: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    edited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    panel: so.Mapped["Panel"] = so.relationship(overlaps="comments")  # noqa: F821
    parent: so.Mapped[Comment | None] = so.relationship(remote_side=[id], back_populates="replies")
    replies: so.Mapped[list[Comment]] = so.relationship(back_populates="parent", order_by="Comment.created_at")

    @property
    def thread_key(self) -> int:
        """The id of the thread's top-level comment (its own id for one)."""
        return self.thread_id or self.id

    def __repr__(self) -> str:
        return f"<Comment {self.id} {self.status.value}>"


@sa.event.listens_for(Comment, "before_insert")
def _join_parents_thread(_mapper, connection, comment: Comment) -> None:
    """Every way of creating a reply (visitor, organiser, demo, tests) gets ``thread_id`` right.

    The parent is always inserted first, so its id is known here even when a
    whole tree is added in one flush.
    """
    if comment.thread_id is not None:
        return
    parent = comment.__dict__.get("parent")
    if parent is not None:
        comment.thread_id = parent.thread_id or parent.id
    elif comment.parent_id is not None:
        row = connection.execute(
            sa.select(Comment.thread_id, Comment.id).where(Comment.id == comment.parent_id)
        ).first()
        if row is not None:
            comment.thread_id = row.thread_id or row.id


class BlockKind(enum.StrEnum):
    EMAIL = "email"
    #: An address range in CIDR notation ("203.0.113.0/24").
    IP_RANGE = "ip_range"
    #: The keyed hash of a commenter's network, blocked from the queue.
    NETWORK = "network"


class CommentBlock(db.Model):
    """A sender whose comments go straight to spam."""

    __table_args__ = (sa.UniqueConstraint("kind", "value"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[BlockKind] = so.mapped_column(value_enum(BlockKind))
    #: Lower-cased e-mail, CIDR range, or network hash, depending on ``kind``.
    value: so.Mapped[str] = so.mapped_column(sa.String(254))
    #: What organisers see in the list ("network of Anne's comment #12").
    label: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class CommenterAddress(db.Model):
    """An e-mail address that commented, and whether its owner confirmed it.

    Only a keyed hash of the normalised address is stored here (see
    :func:`tokens.address_hash`): the table says "this address was
    confirmed", never which address it is.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    #: When the owner first followed a confirmation link; None until then.
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: The last time a confirmation (or "already confirmed") mail went out.
    mailed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class PanelistAccess(db.Model):
    """A panelist's right to comment as themselves on one event's panels, granted by magic link.

    One per panelist and event: people are shared between events, and the
    organisers of one event must neither see the address another event's
    organisers typed nor replace or revoke their link. Browsers hold a signed
    cookie naming the access row and ``version``; an organiser's revoke bumps
    the version, so every browser's grant stops working at once.
    """

    __table_args__ = (sa.UniqueConstraint("panelist_id", "event_id", name="uq_panelist_access_panelist_event"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    panelist_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("panelist.id", ondelete="CASCADE"))
    #: The event whose organisers sent the link: the badge works on its panels only.
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: Private: where the magic link and notifications go; shown to organisers only.
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    #: Part of every browser grant; raised by a revoke.
    version: so.Mapped[int] = so.mapped_column(default=1)
    #: The unused magic link's secret part; cleared when it is used or revoked.
    link_nonce: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    link_sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: When a browser last opened a magic link; None when nobody holds a grant.
    granted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: The panelist asked to be mailed about new comments on their panels.
    notify_new_comments: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    panelist: so.Mapped["Panelist"] = so.relationship()  # noqa: F821
