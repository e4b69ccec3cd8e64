"""Posting, editing and deleting a visitor's comment.

Each write runs in :func:`write_transaction` (``BEGIN IMMEDIATE`` on SQLite),
so the rate-limit count, the duplicate check and the insert see the same
database state, and concurrent posters wait for each other instead of
failing with "database is locked".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..database import utcnow, write_transaction
from ..events.models import Panel
from ..extensions import db
from . import notifications, tokens, trust
from .markup import render_comment
from .models import Comment, CommentStatus
from .queries import sender_facts
from .rules import (
    CommentRefused,
    Facts,
    Policy,
    Submission,
    Verdict,
    check_form_age,
    check_length,
    comments_closed,
    judge,
    looks_like_bot,
    matching_words,
    moderation_verdict,
)

STATUS_FOR = {
    Verdict.APPROVE: CommentStatus.APPROVED,
    Verdict.HOLD: CommentStatus.PENDING,
    Verdict.SPAM: CommentStatus.SPAM,
}


@dataclass
class PostResult:
    """What became of a submission: the stored comment (None for bots) and the verdict."""

    comment: Comment | None
    verdict: Verdict


def current_policy() -> Policy:
    """The posting rules from the app's configuration."""
    return Policy.from_config(current_app.config)


def panel_is_closed(panel: Panel, now: datetime | None = None, policy: Policy | None = None) -> bool:
    """True when the panel takes no new comments."""
    policy = policy or current_policy()
    return comments_closed(panel.comments_open, panel.publish_at, now or utcnow(), policy)


def place_reply(panel_id: int, parent_id: int | None, max_depth: int, *, any_status: bool = False):
    """Where a reply goes: ``(parent, depth)``.

    Replies below the deepest allowed level join that level, as siblings of
    the comment they answer (WordPress does the same).

    :raise CommentRefused: the parent is not a visible comment of this panel.
    """
    if parent_id is None:
        return None, 1
    parent = db.session.get(Comment, parent_id)
    usable = parent is not None and parent.panel_id == panel_id and not parent.deleted
    if not usable or (not any_status and parent.status is not CommentStatus.APPROVED):
        raise CommentRefused("The comment you are replying to is no longer there.", 400)
    if parent.depth < max_depth:
        return parent, parent.depth + 1
    return parent.parent, parent.depth


def post_comment(panel: Panel, sub: Submission, remote_addr: str, *, now: datetime | None = None) -> PostResult:
    """Apply the rules to a visitor's comment and store it.

    Bots (honeypot, too fast) get a result with no comment and nothing is
    stored. An approved comment notifies the parent's author and the
    panel's panelists if they asked. A comment whose author has not proven
    the address (``Facts.confirmed``) is held and the address is mailed a
    link to prove it, the same way whether it was seen before or not.

    :raise CommentRefused: closed, too long, too fast, duplicate, bad parent.
    """
    policy = current_policy()
    now = now or utcnow()
    sub.email = tokens.normalise_email(sub.email)
    if panel_is_closed(panel, now, policy):
        raise CommentRefused("Comments are closed on this panel.", 403)
    check_form_age(sub, policy)
    if looks_like_bot(sub, policy):
        return PostResult(None, Verdict.DISCARD)
    check_length(sub, policy)
    panel_id = panel.id
    with write_transaction() as session:
        parent, depth = place_reply(panel_id, sub.parent_id, policy.max_depth)
        facts = sender_facts(panel_id, sub, remote_addr, now, policy)
        verdict = judge(sub, facts, policy)
        comment = Comment(
            panel_id=panel_id,
            parent=parent,
            depth=depth,
            author_name=sub.name.strip()[:100],
            author_email=sub.email,
            author_website=sub.website,
            panelist_id=sub.panelist_id,
            badge="Panelist" if sub.panelist_id is not None else "",
            confirmed=facts.confirmed,
            body_source=sub.body,
            body_html=render_comment(sub.body),
            video_time=sub.video_time,
            status=STATUS_FOR[verdict],
            ip_hash=tokens.ip_hash(remote_addr),
            network_hash=tokens.network_hash(remote_addr),
            notify_replies=sub.notify,
            created_at=now,
        )
        session.add(comment)
    if verdict is Verdict.APPROVE:
        notifications.comment_went_live(comment)
    elif verdict is Verdict.HOLD and not facts.confirmed:
        trust.mail_author(comment, now)
    return PostResult(comment, verdict)


def check_author(comment: Comment, token: str, now: datetime | None = None) -> None:
    """Let the author change their comment only with its token, within the window.

    :raise CommentRefused: wrong or stale token, or the window has passed.
    """
    policy = current_policy()
    if comment.deleted or not tokens.edit_token_matches(token, comment):
        raise CommentRefused("You can only change your own comment, from the browser you wrote it in.", 403)
    if (now or utcnow()) - comment.created_at > timedelta(minutes=policy.edit_minutes):
        raise CommentRefused(
            f"Comments can be changed for {policy.edit_minutes} minutes after posting; this one can't any more.", 403
        )


def edit_comment(comment: Comment, token: str, body: str, *, now: datetime | None = None) -> Comment:
    """Replace the text of the author's own comment.

    An approved comment that now has too many links or a moderation word goes
    back to the queue, and any comment that now has a blocked word goes where
    a new one with it would (spam), so the edit window cannot be used to slip
    spam in.

    :raise CommentRefused: see :func:`check_author` and the length rule.
    """
    policy = current_policy()
    check_author(comment, token, now)
    sub = Submission(name=comment.author_name, email=comment.author_email, body=body, website=comment.author_website)
    check_length(sub, policy)
    with write_transaction():
        comment.body_source = body
        comment.body_html = render_comment(body)
        comment.edited_at = now or utcnow()
        if matching_words(sub, policy.block_words):
            comment.status = STATUS_FOR[Verdict.SPAM]
        elif comment.status is CommentStatus.APPROVED:
            if moderation_verdict(sub, Facts(confirmed=True, trusted_email=True), policy) is Verdict.HOLD:
                comment.status = CommentStatus.PENDING
    return comment


def delete_comment(comment: Comment, token: str, *, now: datetime | None = None) -> None:
    """Delete the author's own comment; one with replies stays as a placeholder.

    :raise CommentRefused: see :func:`check_author`.
    """
    check_author(comment, token, now)
    with write_transaction():
        remove_comment(comment)


def remove_comment(comment: Comment) -> None:
    """Delete a comment, or blank it into a placeholder while replies hang off it.

    Placeholder ancestors left without replies are removed too, as Isso does.
    Call inside a transaction.
    """
    has_replies = db.session.scalar(sa.select(sa.exists().where(Comment.parent_id == comment.id)))
    if has_replies:
        comment.deleted = True
        comment.author_name = ""
        comment.author_email = ""
        comment.author_website = ""
        comment.body_source = ""
        comment.body_html = ""
        comment.notify_replies = False
        return
    parent = comment.parent
    db.session.delete(comment)
    db.session.flush()
    if parent is not None and parent.deleted:
        remove_comment(parent)
