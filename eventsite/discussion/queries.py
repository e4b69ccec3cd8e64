"""Reading comments: a page of a panel's discussion, the feed, the facts the rules need.

A page of the discussion costs the same few queries whatever the panel's
size: one COUNT for the heading and the number of pages, one SELECT for the
page's threads (their top-level comments chosen in a subquery, every reply
found by ``thread_id``), and, for a visitor who has posted, one to check
which of their comments still waiting for moderation they may see. The tree
is assembled in Python.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..events.models import Panel
from ..extensions import db
from . import tokens
from .models import BlockKind, Comment, CommentBlock, CommenterAddress, CommentStatus
from .paging import NEWEST, Paging, page_of_position, paging
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
    Comment.panelist_id,
    Comment.confirmed,
    Comment.body_source,
    Comment.body_html,
    Comment.video_time,
    Comment.status,
    Comment.deleted,
    Comment.created_at,
    Comment.edited_at,
    Comment.thread_id,
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
    """One page of a panel's discussion."""

    #: The page's top-level comments (and replies whose parent is hidden).
    roots: list[Node]
    #: Approved, not deleted comments on every page: the number in the heading.
    count: int
    #: The comments on this page.
    by_id: dict[int, Node]
    paging: Paging = field(default_factory=lambda: paging(1, 0, 0))


def thread_key() -> sa.ColumnElement[int]:
    """The id of a comment's top-level comment (its own id for a top-level one)."""
    return sa.func.coalesce(Comment.thread_id, Comment.id)


def owned_pending(panel_id: int, authorship: dict[int, str]) -> set[int]:
    """This browser's comments on the panel that wait for moderation, checked against the cookie.

    Checked here, not after loading a page, so that the page count and the
    permalinks agree with what the page shows (an id in the cookie may have
    been reused by somebody else's comment).
    """
    if not authorship:
        return set()
    rows = db.session.execute(
        sa.select(Comment.id, Comment.created_at, Comment.body_source).where(
            Comment.id.in_(list(authorship)), Comment.panel_id == panel_id, Comment.status == CommentStatus.PENDING
        )
    ).all()
    return {row.id for row in rows if tokens.owns(authorship, row)}


def _visible(pending: Collection[int], comment=Comment) -> sa.ColumnElement[bool]:
    """Approved, or this visitor's own comment waiting for moderation."""
    approved = comment.status == CommentStatus.APPROVED
    return sa.or_(approved, comment.id.in_(sorted(pending))) if pending else approved


def _shown(pending: Collection[int], comment=Comment) -> sa.ColumnElement[bool]:
    """A comment that makes its thread appear (placeholders alone do not)."""
    return sa.and_(_visible(pending, comment), ~comment.deleted)


def _thread_shown(pending: Collection[int]) -> sa.ColumnElement[bool]:
    """A top-level comment whose thread has something to show this visitor.

    Usually the comment itself; otherwise (deleted, held, spam) one of its
    replies, looked up only for those few.
    """
    reply = so.aliased(Comment, name="reply")
    return sa.and_(
        Comment.parent_id.is_(None),
        sa.or_(_shown(pending), sa.exists().where(reply.thread_id == Comment.id, _shown(pending, reply))),
    )


def _thread_order(order: str, root=Comment) -> list:
    if order == NEWEST:
        return [root.created_at.desc(), root.id.desc()]
    return [root.created_at, root.id]


def count_discussion(panel_id: int, pending: Collection[int]) -> tuple[int, int]:
    """``(approved comments, threads this visitor sees)`` in one query."""
    comments = sa.select(sa.func.count(Comment.id)).where(
        Comment.panel_id == panel_id, Comment.status == CommentStatus.APPROVED, ~Comment.deleted
    )
    threads = sa.select(sa.func.count(Comment.id)).where(Comment.panel_id == panel_id, _thread_shown(pending))
    row = db.session.execute(sa.select(comments.scalar_subquery(), threads.scalar_subquery())).one()
    return row[0] or 0, row[1] or 0


def load_thread(
    panel_id: int, authorship: dict[int, str], now: datetime, policy: Policy, page: int | None = 1
) -> Thread:
    """One page of a panel's visible comments as a tree.

    Pages hold ``policy.per_page`` whole threads, oldest or newest thread
    first (``policy.order``); replies are oldest first at every level.
    Visible means approved, plus this browser's own comments that are still
    waiting for moderation. Deleted comments stay as placeholders only while
    they have visible replies; a reply whose parent is hidden (held again,
    spam) is shown in its thread's place as if it were top-level.
    """
    pending = owned_pending(panel_id, authorship)
    count, threads = count_discussion(panel_id, pending)
    where = paging(page, threads, policy.per_page, policy.order)
    query = sa.select(*THREAD_COLUMNS)
    if where.per_page:
        page_roots = db.session.scalars(
            sa.select(Comment.id)
            .where(Comment.panel_id == panel_id, _thread_shown(pending))
            .order_by(*_thread_order(policy.order))
            .limit(where.per_page)
            .offset(where.offset)
        ).all()
        # Two indexed look-ups (the top-level comments by id, their replies by
        # thread_id), so the other pages' comments are never read. Visibility
        # is checked below, in Python: a condition on panel or status here
        # makes SQLite scan the whole panel through that index instead.
        query = query.where(sa.or_(Comment.id.in_(page_roots), Comment.thread_id.in_(page_roots)))
        position = {root_id: n for n, root_id in enumerate(page_roots)}
    else:
        root = so.aliased(Comment, name="root")
        query = query.join(root, root.id == thread_key()).where(Comment.panel_id == panel_id, _visible(pending))
        query = query.order_by(*_thread_order(policy.order, root), Comment.created_at, Comment.id)
        position = None
    # Plain rows, not ORM objects: a page of comments loads several times faster.
    rows = db.session.execute(query).all()
    if position is not None:
        rows.sort(key=lambda row: (position[row.thread_id or row.id], row.created_at, row.id))
    window = timedelta(minutes=policy.edit_minutes)
    by_id: dict[int, Node] = {}
    roots: list[Node] = []
    for comment in rows:
        if comment.status is not CommentStatus.APPROVED and comment.id not in pending:
            continue
        mine = comment.id in authorship and tokens.owns(authorship, comment)
        node = Node(comment, mine=mine)
        if mine and not comment.deleted and now - comment.created_at <= window:
            node.edit_token = tokens.edit_token(comment)
        by_id[comment.id] = node
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        (parent.children if parent else roots).append(node)
    return Thread(roots=_prune_placeholders(roots), count=count, by_id=by_id, paging=where)


def page_of_comment(comment: Comment, pending: Collection[int], policy: Policy) -> int:
    """The page of the discussion that shows ``comment`` to a visitor who sees ``pending``."""
    if not policy.per_page:
        return 1
    target = so.aliased(Comment, name="target")
    if policy.order == NEWEST:
        before = sa.or_(
            Comment.created_at > target.created_at,
            sa.and_(Comment.created_at == target.created_at, Comment.id > target.id),
        )
    else:
        before = sa.or_(
            Comment.created_at < target.created_at,
            sa.and_(Comment.created_at == target.created_at, Comment.id < target.id),
        )
    position = db.session.scalar(
        sa.select(sa.func.count(Comment.id))
        .join(target, target.id == comment.thread_key)
        .where(Comment.panel_id == comment.panel_id, _thread_shown(pending), before)
    )
    return page_of_position(position or 0, policy.per_page)


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
    # Only the same browser's or network's repeats count: otherwise re-posting
    # a public comment's text with a guessed address would tell, by the
    # refusal, whose address wrote it.
    same_sender = Comment.ip_hash == tokens.ip_hash(remote_addr)
    if sub.proven or sub.panelist_id is not None:
        same_sender = sa.true()
    duplicate = db.session.scalar(
        sa.select(
            sa.exists().where(
                Comment.panel_id == panel_id,
                Comment.author_email == sub.email,
                Comment.body_source == sub.body,
                Comment.status != CommentStatus.TRASH,
                same_sender,
            )
        )
    )
    confirmed = sub.panelist_id is not None or (sub.proven and address_confirmed(sub.email))
    trusted = confirmed and db.session.scalar(
        sa.select(sa.exists().where(Comment.author_email == sub.email, Comment.status == CommentStatus.APPROVED))
    )
    return Facts(
        recent_from_ip=recent or 0,
        duplicate=bool(duplicate),
        confirmed=confirmed,
        trusted_email=bool(trusted),
        blocked=is_blocked(sub.email, remote_addr),
    )


def address_confirmed(email: str) -> bool:
    """True when the owner of ``email`` followed a confirmation link for it."""
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    CommenterAddress.email_hash == tokens.address_hash(email),
                    CommenterAddress.confirmed_at.isnot(None),
                )
            )
        )
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


def status_counts(scope: sa.ColumnElement[bool] | None = None) -> dict[CommentStatus, int]:
    """How many comments are in each moderation tab (of those ``scope`` keeps: one organiser's events)."""
    rows = db.session.execute(
        sa.select(Comment.status, sa.func.count(Comment.id))
        .where(~Comment.deleted, scope if scope is not None else sa.true())
        .group_by(Comment.status)
    ).all()
    counts = dict.fromkeys(CommentStatus, 0)
    counts.update({status: n for status, n in rows})
    return counts


def queue_page(status: CommentStatus, page: int, per_page: int = 50, scope: sa.ColumnElement[bool] | None = None):
    """One page of the moderation queue for a tab, newest first, panels loaded
    (of the comments ``scope`` keeps, as for :func:`status_counts`)."""
    query = (
        sa.select(Comment)
        .where(Comment.status == status, ~Comment.deleted, scope if scope is not None else sa.true())
        .options(so.joinedload(Comment.panel).joinedload(Panel.event), so.joinedload(Comment.parent))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
