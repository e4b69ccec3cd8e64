"""Confirmed commenter addresses: trust that comes from a followed link, not a typed address.

Anyone can type ``anne@example.com`` into the form. So a comment counts as
Anne's (her avatar, her "previously approved" standing, her reply
notifications) only when the browser proves it: it holds a signed cookie
saying it followed a link mailed to that address, or the link mailed for
this very comment is followed later.

After every unproven comment the address gets one mail, whether it was
seen before or not: "please confirm" for a new address, "you're already
confirmed, here is your comment" for a known one. The answer to the post,
the work done and the time taken are the same either way, so a post reveals
nothing about who has commented before.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..database import utcnow, write_transaction
from ..events.models import Panel
from ..extensions import db
from ..mail import queue_mail
from ..signed import LinkProblem
from . import notifications, tokens
from .models import Comment, CommenterAddress, CommentStatus
from .rules import Facts, Policy, Submission, Verdict, moderation_verdict


@dataclass
class Confirmation:
    """A followed confirmation link: the comment, its address's hash, and whether it went live."""

    comment: Comment
    email_hash: str
    published: bool


def link_max_age() -> float:
    """Seconds a confirmation link stays valid."""
    return float(current_app.config["COMMENT_CONFIRM_HOURS"]) * 3600


def _address_row(email_hash: str) -> CommenterAddress:
    """The address's row, made on first sight. Call inside a write transaction."""
    row = db.session.scalar(sa.select(CommenterAddress).where(CommenterAddress.email_hash == email_hash))
    if row is None:
        row = CommenterAddress(email_hash=email_hash)
        db.session.add(row)
    return row


def _with_address(email_hash: str, change) -> bool:
    """Run ``change(row)`` on the address's row in one transaction; returns whether it was confirmed before.

    Two first comments from one new address at once may both try to insert
    the row; the loser runs again and finds the winner's.
    """
    for attempt in range(2):
        try:
            with write_transaction():
                row = _address_row(email_hash)
                was_confirmed = row.confirmed_at is not None
                change(row)
            return was_confirmed
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def mail_author(comment: Comment, now: datetime | None = None) -> bool:
    """Mail the address of an unproven comment a link that proves it is theirs.

    The same steps whether the address is new or confirmed (one row written,
    one mail rendered and sent); only the wording differs. Returns whether
    the mail went out.
    """
    now = now or utcnow()

    def stamp(row: CommenterAddress) -> None:
        row.mailed_at = now

    confirmed = _with_address(tokens.address_hash(comment.author_email), stamp)
    panel = db.session.get(Panel, comment.panel_id)
    link = notifications.absolute_url("discussion.confirm", token=tokens.confirm_token(comment))
    hours = round(link_max_age() / 3600)
    template = "already_confirmed" if confirmed else "confirm"
    body = notifications.render(
        f"discussion/email/{template}.txt",
        comment=comment,
        panel=panel,
        link=link,
        hours=hours,
        permalink=notifications.comment_url(comment),
    )
    subject = f"Your comment on “{panel.title}”" if confirmed else f"Please confirm your comment on “{panel.title}”"
    return queue_mail(comment.author_email, subject, body)


def check_link(token: str) -> Comment:
    """The comment a confirmation link is for, if the link can still be used.

    :raise LinkProblem: forged (400), expired (410), already used (410), or
        the comment is gone (410).
    """
    comment_id, email_hash = tokens.read_confirm_token(token, link_max_age())
    comment = db.session.get(Comment, comment_id)
    if (
        comment is None
        or comment.deleted
        or not hmac.compare_digest(tokens.address_hash(comment.author_email), email_hash)
    ):
        raise LinkProblem("The comment this link was for is no longer here, so there is nothing to confirm.", 410)
    if comment.confirmed:
        raise LinkProblem("This link was already used: each confirmation link works once. Nothing more to do.", 410)
    return comment


def confirm(token: str, now: datetime | None = None) -> Confirmation:
    """Follow a confirmation link: the comment is proven, and its address confirmed.

    Confirming approves nothing by itself: a held comment is published only
    when the rules now allow it (a confirmed address with an approved
    comment, or first comments not held, and no links or moderation words).

    :raise LinkProblem: see :func:`check_link`; also when two clicks race.
    """
    comment = check_link(token)
    now = now or utcnow()
    email_hash = tokens.address_hash(comment.author_email)

    def confirm_row(row: CommenterAddress) -> None:
        row.confirmed_at = row.confirmed_at or now

    _with_address(email_hash, confirm_row)
    published = False
    with write_transaction() as session:
        # Conditional, so one link confirms once even when clicked twice at once.
        done = session.execute(
            sa.update(Comment).where(Comment.id == comment.id, ~Comment.confirmed).values(confirmed=True)
        ).rowcount
        if not done:
            raise LinkProblem("This link was already used: each confirmation link works once.", 410)
        session.refresh(comment)
        if comment.status is CommentStatus.PENDING:
            published = _rules_allow(comment)
            if published:
                comment.status = CommentStatus.APPROVED
    if published:
        notifications.comment_went_live(comment)
    return Confirmation(comment, email_hash, published)


def _rules_allow(comment: Comment) -> bool:
    """Would the rules publish this comment, now that its author is proven?"""
    previously_approved = db.session.scalar(
        sa.select(
            sa.exists().where(
                Comment.author_email == comment.author_email,
                Comment.status == CommentStatus.APPROVED,
                Comment.id != comment.id,
            )
        )
    )
    sub = Submission(
        name=comment.author_name, email=comment.author_email, body=comment.body_source, website=comment.author_website
    )
    facts = Facts(confirmed=True, trusted_email=bool(previously_approved))
    return moderation_verdict(sub, facts, Policy.from_config(current_app.config)) is Verdict.APPROVE


def mark_confirmed(emails: list[str], now: datetime | None = None) -> None:
    """Record addresses as confirmed (the demo's commenters). Call inside a transaction."""
    for email in emails:
        row = _address_row(tokens.address_hash(email))
        row.confirmed_at = row.confirmed_at or now or utcnow()
