"""The moderation queue: tabs by status, bulk actions, replies with a badge, blocks."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from ..accounts.access import panel_scope
from ..discussion import moderation as moderating
from ..discussion.forms import BlockForm, BlockSenderForm, ModerationForm, OrganiserReplyForm
from ..discussion.models import BlockKind, Comment, CommentStatus
from ..discussion.queries import queue_page, status_counts
from ..discussion.rules import CommentRefused
from ..extensions import db
from . import bp
from .forms import DeleteForm
from .loaders import comment_or_404, organiser, require_every_event


def _scope() -> sa.ColumnElement[bool]:
    """The comments this organiser moderates: those under panels of their events."""
    return panel_scope(organiser(), Comment.panel_id)


def _status_arg() -> CommentStatus:
    try:
        return CommentStatus(request.args.get("status", CommentStatus.PENDING.value))
    except ValueError:
        abort(404)


@bp.get("/comments/")
def moderation():
    """One tab of the queue (pending by default), with a count on every tab."""
    status = _status_arg()
    page = queue_page(status, request.args.get("page", 1, type=int), scope=_scope())
    return render_template(
        "studio/moderation.html",
        status=status,
        page=page,
        counts=status_counts(scope=_scope()),
        form=ModerationForm(),
        sender_form=BlockSenderForm(),
        replied=request.args.get("replied", type=int),
    )


@bp.app_template_filter()
def seek_links_to(body_html: str, panel_url: str) -> Markup:
    """A comment's "12:34" links (``?t=754#player``, relative to the panel page) pointed at
    ``panel_url``, so outside the panel page (the queue) they open the panel at that moment."""
    # body_html was sanitised (nh3) when the comment was saved; only an escaped URL goes in.
    return Markup(str(body_html).replace('href="?t=', f'href="{escape(panel_url)}?t='))  # noqa: S704


@bp.post("/comments/bulk")
def moderation_bulk():
    """Approve, unapprove, spam, trash or delete the ticked comments."""
    status = _status_arg()
    form = ModerationForm()
    ids = request.form.getlist("ids", type=int)
    if not form.validate_on_submit():
        flash("Choose an action.", "error")
    elif not ids:
        flash("Tick at least one comment.", "error")
    else:
        # Ids of other events' comments are dropped, as if they did not exist.
        ids = db.session.scalars(sa.select(Comment.id).where(Comment.id.in_(ids), _scope())).all()
        changed = moderating.moderate(ids, moderating.Action(form.action.data))
        flash(f"{changed} comment{'s' if changed != 1 else ''} updated.", "success")
    return redirect(url_for(".moderation", status=status.value))


#: What a row's own button says once it has acted ("Comment by Ana approved.").
DONE = {
    moderating.Action.APPROVE: "approved",
    moderating.Action.UNAPPROVE: "moved back to pending",
    moderating.Action.SPAM: "marked as spam",
    moderating.Action.TRASH: "moved to the trash",
    moderating.Action.DELETE: "deleted for good",
}


@bp.post("/comments/<int:comment_id>/moderate")
def moderation_one(comment_id: int):
    """One row's Approve / Spam / Trash (WordPress's row actions), back to the same tab.

    :raise 404: no such comment, or one under another event's panel.
    """
    status = _status_arg()
    comment = comment_or_404(comment_id)
    try:
        action = moderating.Action(request.form.get("row_action", ""))
    except ValueError:
        action = None
    if action is None or not DeleteForm().validate_on_submit():  # DeleteForm: the CSRF token alone
        flash("That action is not one the queue knows; nothing changed.", "error")
    else:
        name = comment.author_name or "a deleted comment"
        moderating.moderate([comment.id], action)
        flash(f"Comment by {name} {DONE[action]}.", "success")
    return redirect(url_for(".moderation", status=status.value))


@bp.route("/comments/<int:comment_id>/reply", methods=["GET", "POST"])
def moderation_reply(comment_id: int):
    """Reply from the queue as an organiser or panelist; approved at once (and so is the comment).

    From a queue tab (``?status=…``) the organiser goes back to that tab, which links to the
    reply; from anywhere else, to the reply in its discussion.
    """
    parent = comment_or_404(comment_id)
    back = request.args.get("status")
    back = back if back in {s.value for s in CommentStatus} else None
    form = OrganiserReplyForm()
    if form.validate_on_submit():
        try:
            reply = moderating.reply_as_organiser(parent, organiser(), form.body.data, form.badge.data)
        except CommentRefused as exc:
            flash(exc.message, "error")
        else:
            flash("Reply published.", "success")
            if back:
                return redirect(url_for(".moderation", status=back, replied=reply.id))
            # The permalink finds the page of the discussion the reply is on.
            return redirect(url_for("discussion.permalink", comment_id=reply.id))
    status = 400 if request.method == "POST" else 200
    return render_template("studio/moderation_reply.html", comment=parent, form=form, back=back), status


@bp.post("/comments/<int:comment_id>/block")
def moderation_block_sender(comment_id: int):
    """Block the author's e-mail or network and move the comment to spam."""
    comment = comment_or_404(comment_id)
    form = BlockSenderForm()
    if form.validate_on_submit() and form.kind.data in (BlockKind.EMAIL.value, BlockKind.NETWORK.value):
        try:
            moderating.block_sender(comment, BlockKind(form.kind.data))
            flash("Blocked; the comment is now in spam.", "success")
        except CommentRefused as exc:
            flash(exc.message, "error")
    return redirect(request.referrer if _same_site(request.referrer) else url_for(".moderation"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.route("/comments/blocks", methods=["GET", "POST"])
def moderation_blocks():
    """The list of blocked e-mails and ranges, and a form to add one.

    :raise 404: for organisers limited to some events: blocks apply to the
        whole site and the list shows other events' commenters.
    """
    require_every_event()
    form = BlockForm()
    if form.validate_on_submit():
        try:
            moderating.add_block(BlockKind(form.kind.data), form.value.data)
        except CommentRefused as exc:
            form.value.errors = [exc.message]
        else:
            flash("Blocked.", "success")
            return redirect(url_for(".moderation_blocks"))
    return render_template(
        "studio/moderation_blocks.html",
        form=form,
        blocks=moderating.list_blocks(),
        delete_form=DeleteForm(),
        counts=status_counts(),
    )


@bp.post("/comments/blocks/<int:block_id>/delete")
def moderation_unblock(block_id: int):
    """Lift a block.

    :raise 404: for organisers limited to some events (see :func:`moderation_blocks`).
    """
    require_every_event()
    if DeleteForm().validate_on_submit():
        moderating.remove_block(block_id)
        flash("Block removed.", "success")
    return redirect(url_for(".moderation_blocks"))
