"""What organisers do with comments: change status in bulk, reply, block senders."""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable

import sqlalchemy as sa

from ..accounts.models import Organiser
from ..database import write_transaction
from ..extensions import db
from . import notifications
from .markup import render_comment
from .models import BlockKind, Comment, CommentBlock, CommentStatus
from .operations import current_policy, place_reply, remove_comment
from .rules import CommentRefused


class Action(enum.StrEnum):
    APPROVE = "approve"
    UNAPPROVE = "pending"
    SPAM = "spam"
    TRASH = "trash"
    #: Gone for good (from the spam and trash tabs).
    DELETE = "delete"


TARGET_STATUS = {
    Action.APPROVE: CommentStatus.APPROVED,
    Action.UNAPPROVE: CommentStatus.PENDING,
    Action.SPAM: CommentStatus.SPAM,
    Action.TRASH: CommentStatus.TRASH,
}

#: Badges an organiser may reply with. "Panelist" is not one of them: only a
#: panelist's own verified browser gets that badge (see :mod:`.panelists`).
BADGES = ("Organiser",)


def moderate(comment_ids: Iterable[int], action: Action) -> int:
    """Apply one action to many comments; returns how many changed.

    Newly approved replies notify their parents' authors afterwards, outside
    the transaction, so a slow mail server never holds the write lock.
    """
    ids = sorted({int(i) for i in comment_ids})
    if not ids:
        return 0
    approved: list[int] = []
    with write_transaction() as session:
        comments = session.scalars(sa.select(Comment).where(Comment.id.in_(ids))).all()
        for comment in comments:
            if action is Action.DELETE:
                remove_comment(comment)
                continue
            if comment.status is CommentStatus.PENDING and action is Action.APPROVE:
                approved.append(comment.id)
            comment.status = TARGET_STATUS[action]
        changed = len(comments)
    for comment_id in approved:
        comment = db.session.get(Comment, comment_id)
        if comment is not None:
            notifications.comment_went_live(comment)
    return changed


def reply_as_organiser(parent: Comment, organiser: Organiser, body: str, badge: str) -> Comment:
    """Post an organiser's reply from the queue; it is approved at once.

    Replying to a held comment approves it too, as WordPress does: the
    organiser has read it and is answering in public.

    :raise CommentRefused: empty or too long, or the comment was deleted.
    """
    policy = current_policy()
    body = body.strip()
    if not body:
        raise CommentRefused("Please write a reply.")
    if len(body) > policy.max_length:
        raise CommentRefused(f"Replies are limited to {policy.max_length:,} characters.")
    if badge not in BADGES:
        badge = BADGES[0]
    parent_id = parent.id
    with write_transaction() as session:
        parent = session.get(Comment, parent_id)
        if parent.status is not CommentStatus.APPROVED:
            parent.status = CommentStatus.APPROVED
        where, depth = place_reply(parent.panel_id, parent.id, policy.max_depth, any_status=True)
        reply = Comment(
            panel_id=parent.panel_id,
            parent=where,
            depth=depth,
            author_name=organiser.name or "Organiser",
            author_email=organiser.email.lower(),
            organiser_id=organiser.id,
            badge=badge,
            body_source=body,
            body_html=render_comment(body),
            status=CommentStatus.APPROVED,
            # Signed in: the organiser has proven who they are.
            confirmed=True,
        )
        session.add(reply)
    notifications.comment_went_live(reply)
    return reply


# Blocks ---------------------------------------------------------------------


def add_block(kind: BlockKind, value: str, label: str = "") -> CommentBlock:
    """Block an e-mail address, an IP range (CIDR) or a network hash; idempotent.

    :raise CommentRefused: not an e-mail address or not a valid range.
    """
    value = value.strip()
    if kind is BlockKind.EMAIL:
        value = value.lower()
        if "@" not in value or len(value) > 254:
            raise CommentRefused("That is not an e-mail address.")
    elif kind is BlockKind.IP_RANGE:
        try:
            value = str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise CommentRefused("Write a range like 203.0.113.0/24 or a single address.") from None
    existing = db.session.scalar(sa.select(CommentBlock).where(CommentBlock.kind == kind, CommentBlock.value == value))
    if existing:
        return existing
    block = CommentBlock(kind=kind, value=value, label=label[:200] or value)
    db.session.add(block)
    db.session.commit()
    return block


def block_sender(comment: Comment, kind: BlockKind) -> CommentBlock:
    """Block the e-mail or the network of a comment's author, and mark the comment spam."""
    if kind is BlockKind.EMAIL:
        block = add_block(kind, comment.author_email, f"{comment.author_email} (comment #{comment.id})")
    elif kind is BlockKind.NETWORK and comment.network_hash:
        block = add_block(kind, comment.network_hash, f"network of {comment.author_name}'s comment #{comment.id}")
    else:
        raise CommentRefused("There is no network recorded for that comment.")
    moderate([comment.id], Action.SPAM)
    return block


def remove_block(block_id: int) -> None:
    """Lift a block."""
    block = db.session.get(CommentBlock, block_id)
    if block is not None:
        db.session.delete(block)
        db.session.commit()


def list_blocks() -> list[CommentBlock]:
    """Every block, newest first."""
    return list(db.session.scalars(sa.select(CommentBlock).order_by(CommentBlock.created_at.desc())))
