"""E-mail about comments: reply notifications, unsubscribing, the organisers' digest."""

from __future__ import annotations

import hmac
from contextlib import nullcontext

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, url_for

from ..accounts.models import Organiser
from ..database import utcnow
from ..events.models import Panel
from ..extensions import db
from ..mail import send_mail
from ..urls import absolute
from . import tokens
from .models import Comment, CommentStatus


def _request_context():
    """The current request, or a stand-in: the digest runs from the command line,
    where URLs and templates have no request to work from."""
    return nullcontext() if has_request_context() else current_app.test_request_context()


def _absolute(endpoint: str, **values) -> str:
    with _request_context():
        return absolute(url_for(endpoint, **values))


def _render(template: str, **context) -> str:
    with _request_context():
        return render_template(template, **context)


def comment_url(comment: Comment) -> str:
    """The public permalink of a comment.

    It redirects to the page that shows the comment when it is opened, so a
    mail read days later still lands on it after other threads moved it to
    another page.
    """
    return _absolute("discussion.permalink", comment_id=comment.id)


def notify_reply(reply: Comment) -> bool:
    """Tell the parent's author about an approved reply, once, if they asked.

    Returns True when a message went out. Nobody is told about their own
    replies, and a reply is never announced twice (``notified_at``).
    """
    parent = reply.parent
    if (
        parent is None
        or reply.status is not CommentStatus.APPROVED
        or reply.notified_at is not None
        or not parent.notify_replies
        or parent.deleted
        or parent.status is not CommentStatus.APPROVED
        or parent.author_email == reply.author_email
    ):
        return False
    unsubscribe = _absolute("discussion.unsubscribe", token=tokens.unsubscribe_token(parent))
    panel = db.session.get(Panel, reply.panel_id)
    body = _render(
        "discussion/email/reply.txt",
        reply=reply,
        parent=parent,
        panel=panel,
        url=comment_url(reply),
        unsubscribe=unsubscribe,
    )
    sent = send_mail(
        parent.author_email,
        f"{reply.author_name} replied to your comment on “{panel.title}”",
        body,
        # RFC 8058: mail clients show an unsubscribe button that POSTs here.
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    reply.notified_at = utcnow()
    db.session.commit()
    return sent


def unsubscribe(token: str) -> Comment | None:
    """Stop reply notifications for the comment named in ``token``.

    All of that author's comments on the same panel are unsubscribed, since
    that is what a person clicking the link means. Returns the comment, or
    None when the token is not valid (or the comment is gone).
    """
    found = tokens.read_unsubscribe_token(token)
    if found is None:
        return None
    comment = db.session.get(Comment, found[0])
    if comment is None or not comment.author_email:
        return None
    if not hmac.compare_digest(found[1], tokens.keyed_hash("unsubscribe", comment.author_email)):
        return None
    db.session.execute(
        sa.update(Comment)
        .where(Comment.panel_id == comment.panel_id, Comment.author_email == comment.author_email)
        .values(notify_replies=False)
    )
    db.session.commit()
    return comment


def send_moderation_digest() -> int:
    """E-mail every organiser the comments waiting for moderation, per panel.

    Returns the number of messages sent (0 when nothing is waiting).
    """
    waiting = db.session.execute(
        sa.select(Panel, sa.func.count(Comment.id), sa.func.min(Comment.created_at))
        .join(Comment, Comment.panel_id == Panel.id)
        .where(Comment.status == CommentStatus.PENDING, ~Comment.deleted)
        .group_by(Panel.id)
        .order_by(sa.func.count(Comment.id).desc())
    ).all()
    if not waiting:
        return 0
    total = sum(n for _panel, n, _oldest in waiting)
    body = _render(
        "discussion/email/digest.txt",
        waiting=waiting,
        total=total,
        queue_url=_absolute("studio.moderation", status="pending"),
    )
    subject = f"{total} comment{'s' if total != 1 else ''} waiting for moderation"
    sent = 0
    for email in db.session.scalars(sa.select(Organiser.email).order_by(Organiser.id)):
        sent += send_mail(email, subject, body)
    return sent
