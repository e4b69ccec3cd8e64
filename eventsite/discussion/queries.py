"""Reading comments: a panel's thread in one query, the feed, the facts the rules need.

The thread is one SELECT whatever its size; the tree is assembled in Python,
so a panel with a thousand comments costs the same number of queries as a
panel with ten.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..events.models import Panel
from ..extensions import db
from . import tokens
from .models import BlockKind, Comment, CommentBlock, CommentStatus
from .rules import Facts, Policy, Submission

#: What the thread shows; rows with these attributes stand in for :class:`Comment`.
THREAD_COLUMNS = (
    Comment.id,
    Comment.panel_id,
    Comment.parent_id,
    Comment.depth,
    Comment.author_name,
    Comment.author_email,
    Comment.author_website,
    Comment.badge,
    Comment.body_source,
    Comment.body_html,
    Comment.video_time,
    Comment.status,
    Comment.deleted,
    Comment.created_at,
    Comment.edited_at,
)


@dataclass
class Node:
    """A comment in the rendered thread: a :class:`Comment` or a row of :data:`THREAD_COLUMNS`."""

    comment: Comment | sa.Row
    children: list[Node] = field(default_factory=list)
    #: True when this browser posted it (signed cookie).
    mine: bool = False
    #: Set while the author may still edit or delete it.
    edit_token: str | None = None


@dataclass
class Thread:
    roots: list[Node]
    #: Approved, not deleted comments: the number in the heading.
    count: int
    by_id: dict[int, Node]


def load_thread(panel_id: int, authorship: dict[int, str], now: datetime, policy: Policy) -> Thread:
    """A panel's visible comments as a tree, oldest first at every level.

    Visible means approved, plus this browser's own comments that are still
    waiting for moderation. Deleted comments stay as placeholders only while
    they have visible replies.
    """
    visible = Comment.status == CommentStatus.APPROVED
    if authorship:
        visible = sa.or_(visible, sa.and_(Comment.id.in_(list(authorship)), Comment.status == CommentStatus.PENDING))
    # Plain rows, not ORM objects: a thousand comments load several times faster.
    rows = db.session.execute(
        sa.select(*THREAD_COLUMNS).where(Comment.panel_id == panel_id, visible).order_by(Comment.created_at, Comment.id)
    ).all()
    window = timedelta(minutes=policy.edit_minutes)
    by_id: dict[int, Node] = {}
    roots: list[Node] = []
    for comment in rows:
        mine = comment.id in authorship and tokens.owns(authorship, comment)
        if comment.status is CommentStatus.PENDING and not mine:
            continue
        node = Node(comment, mine=mine)
        if mine and not comment.deleted and now - comment.created_at <= window:
            node.edit_token = tokens.edit_token(comment)
        by_id[comment.id] = node
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        (parent.children if parent else roots).append(node)
    roots = _prune_placeholders(roots)
    count = sum(1 for n in by_id.values() if n.comment.status is CommentStatus.APPROVED and not n.comment.deleted)
    return Thread(roots=roots, count=count, by_id=by_id)


def _prune_placeholders(nodes: list[Node]) -> list[Node]:
    kept = []
    for node in nodes:
        node.children = _prune_placeholders(node.children)
        if not node.comment.deleted or node.children:
            kept.append(node)
    return kept


def feed_comments(panel_id: int, limit: int = 50) -> list[Comment]:
    """The newest approved comments of a panel, newest first."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.panel_id == panel_id, Comment.status == CommentStatus.APPROVED, ~Comment.deleted)
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(limit)
        )
    )


def sender_facts(panel_id: int, sub: Submission, remote_addr: str, now: datetime, policy: Policy) -> Facts:
    """Look up what the rules need to know about this sender and text."""
    since = now - timedelta(seconds=policy.rate_seconds)
    recent = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            Comment.ip_hash == tokens.ip_hash(remote_addr), Comment.created_at >= since
        )
    )
    duplicate = db.session.scalar(
        sa.select(
            sa.exists().where(
                Comment.panel_id == panel_id,
                Comment.author_email == sub.email,
                Comment.body_source == sub.body,
                Comment.status != CommentStatus.TRASH,
            )
        )
    )
    trusted = db.session.scalar(
        sa.select(sa.exists().where(Comment.author_email == sub.email, Comment.status == CommentStatus.APPROVED))
    )
    return Facts(
        recent_from_ip=recent or 0,
        duplicate=bool(duplicate),
        trusted_email=bool(trusted),
        blocked=is_blocked(sub.email, remote_addr),
    )


def is_blocked(email: str, remote_addr: str) -> bool:
    """True when the e-mail, the address's network or an IP range is blocked."""
    rows = db.session.execute(sa.select(CommentBlock.kind, CommentBlock.value)).all()
    if not rows:
        return False
    network = tokens.network_hash(remote_addr)
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        address = None
    for kind, value in rows:
        if kind is BlockKind.EMAIL and value == email.lower():
            return True
        if kind is BlockKind.NETWORK and network and value == network:
            return True
        if kind is BlockKind.IP_RANGE and address is not None:
            range_ = ipaddress.ip_network(value, strict=False)
            if address.version == range_.version and address in range_:
                return True
    return False


def status_counts() -> dict[CommentStatus, int]:
    """How many comments are in each moderation tab."""
    rows = db.session.execute(
        sa.select(Comment.status, sa.func.count(Comment.id)).where(~Comment.deleted).group_by(Comment.status)
    ).all()
    counts = dict.fromkeys(CommentStatus, 0)
    counts.update({status: n for status, n in rows})
    return counts


def queue_page(status: CommentStatus, page: int, per_page: int = 50):
    """One page of the moderation queue for a tab, newest first, panels loaded."""
    query = (
        sa.select(Comment)
        .where(Comment.status == status, ~Comment.deleted)
        .options(so.joinedload(Comment.panel).joinedload(Panel.event), so.joinedload(Comment.parent))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
