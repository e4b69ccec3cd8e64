"""E-mail about comments: reply notifications, panelists' new-comment mails, unsubscribing, the digest."""

from __future__ import annotations

import hmac
from contextlib import nullcontext

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, url_for

from ..accounts.access import own_event_ids
from ..accounts.models import Organiser
from ..database import utcnow
from ..events.models import Panel, Seat
from ..extensions import db
from ..mail import queue_mail
from ..urls import absolute
from . import tokens
from .models import Comment, CommentStatus, PanelistAccess


def _request_context():
    """The current request, or a stand-in: the digest runs from the command line,
    where URLs and templates have no request to work from."""
    return nullcontext() if has_request_context() else current_app.test_request_context()


def absolute_url(endpoint: str, **values) -> str:
    with _request_context():
        return absolute(url_for(endpoint, **values))


def render(template: str, **context) -> str:
    with _request_context():
        return render_template(template, **context)


def comment_url(comment: Comment) -> str:
    """The public permalink of a comment.

    It redirects to the page that shows the comment when it is opened, so a
    mail read days later still lands on it after other threads moved it to
    another page.
    """
    return absolute_url("discussion.permalink", comment_id=comment.id)


def notify_reply(reply: Comment) -> bool:
    """Tell the parent's author about an approved reply, once, if they asked.

    Returns True when a message went out (or was queued). Nobody is told about their own
    replies, and a reply is never announced twice (``notified_at``). Only a
    parent whose author proved the address (``confirmed``) is mailed, so
    nobody can sign someone else up by typing their address.
    """
    parent = reply.parent
    if (
        parent is None
        or reply.status is not CommentStatus.APPROVED
        or reply.notified_at is not None
        or not parent.notify_replies
        or not parent.confirmed
        or parent.deleted
        or parent.status is not CommentStatus.APPROVED
        or parent.author_email == reply.author_email
    ):
        return False
    unsubscribe = absolute_url("discussion.unsubscribe", token=tokens.unsubscribe_token(parent))
    panel = db.session.get(Panel, reply.panel_id)
    body = render(
        "discussion/email/reply.txt",
        reply=reply,
        parent=parent,
        panel=panel,
        url=comment_url(reply),
        unsubscribe=unsubscribe,
    )
    sent = queue_mail(
        parent.author_email,
        f"{reply.author_name} replied to your comment on “{panel.title}”",
        body,
        # RFC 8058: mail clients show an unsubscribe button that POSTs here.
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    reply.notified_at = utcnow()
    db.session.commit()
    return sent


def comment_went_live(comment: Comment) -> None:
    """Everything that follows a comment's approval: the reply notification, the panelists' mails."""
    notify_reply(comment)
    announce_to_panelists(comment)


def announce_to_panelists(comment: Comment) -> int:
    """Mail the panel's verified panelists who asked about a newly approved comment, once.

    Returns how many were mailed. A panelist is not told about their own
    comments; revoked panelists are not told at all.
    """
    if comment.status is not CommentStatus.APPROVED or comment.announced_at is not None:
        return 0
    # Claimed with one conditional UPDATE, so approving twice never mails twice.
    claimed = db.session.execute(
        sa.update(Comment).where(Comment.id == comment.id, Comment.announced_at.is_(None)).values(announced_at=utcnow())
    ).rowcount
    db.session.commit()
    if not claimed:
        return 0
    listeners = db.session.scalars(
        sa.select(PanelistAccess)
        .join(Seat, Seat.panelist_id == PanelistAccess.panelist_id)
        .join(Panel, Panel.id == Seat.panel_id)
        .where(
            Seat.panel_id == comment.panel_id,
            PanelistAccess.event_id == Panel.event_id,  # a grant covers its own event's panels only
            PanelistAccess.notify_new_comments,
            PanelistAccess.granted_at.isnot(None),
        )
        .order_by(PanelistAccess.id)
    ).all()
    panel = db.session.get(Panel, comment.panel_id)
    sent = 0
    for access in listeners:
        if access.panelist_id == comment.panelist_id or access.email == comment.author_email:
            continue
        token = tokens.panelist_stop_token(access.id, access.version)
        stop = absolute_url("discussion.panelist_stop", token=token)
        body = render(
            "discussion/email/new_comment.txt", comment=comment, panel=panel, url=comment_url(comment), stop=stop
        )
        sent += queue_mail(
            access.email,
            f"New comment on “{panel.title}” from {comment.author_name}",
            body,
            headers={"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
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
    """E-mail every active organiser (invitations accepted) the comments waiting for moderation,
    per panel (an organiser limited to some events hears of their events' panels only).

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
    queue_url = absolute_url("studio.moderation", status="pending")
    sent = 0
    for organiser in db.session.scalars(
        sa.select(Organiser).where(Organiser.active, Organiser.password_hash != "").order_by(Organiser.id)
    ):
        mine = waiting
        if not organiser.manages_every_event:
            own = set(db.session.scalars(own_event_ids(organiser)))
            mine = [row for row in waiting if row[0].event_id in own]
        if not mine:
            continue
        total = sum(n for _panel, n, _oldest in mine)
        body = render("discussion/email/digest.txt", waiting=mine, total=total, queue_url=queue_url)
        subject = f"{total} comment{'s' if total != 1 else ''} waiting for moderation"
        sent += queue_mail(organiser.email, subject, body)
    return sent
