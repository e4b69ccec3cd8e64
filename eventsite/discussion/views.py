"""Public discussion endpoints: post, edit, delete, avatars, feed, unsubscribe."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..events.models import Panel
from ..events.operations import get_event_or_404, get_panel_or_404
from ..extensions import csrf, db
from . import notifications, tokens
from . import operations as ops
from .avatars import identicon_svg
from .context import authorship, comment_item_html
from .forms import CommentForm, DeleteCommentForm, EditCommentForm, UnsubscribeForm
from .markup import clean_website
from .models import Comment, CommentStatus
from .queries import feed_comments
from .rules import CommentRefused, Submission, Verdict

bp = Blueprint("discussion", __name__)

AWAITING = "Your comment is awaiting moderation."
AVATAR_KEY = re.compile(r"[0-9a-f]{32}")


def _visible_panel_or_404(event_slug: str, slug: str) -> Panel:
    """The panel, if this visitor may see it.

    :raise 404: unknown, or not public and not signed in.
    """
    panel = get_panel_or_404(get_event_or_404(event_slug), slug)
    if not panel.is_public() and not current_user.is_authenticated:
        abort(404)
    return panel


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _panel_url(panel: Panel, anchor: str = "") -> str:
    return url_for("events.panel", event_slug=panel.event.slug, slug=panel.slug) + anchor


def _remember(response: Response, comment: Comment) -> Response:
    """Add the comment to this browser's signed authorship cookie."""
    response.set_cookie(
        tokens.AUTHORSHIP_COOKIE,
        tokens.write_authorship(authorship(), comment),
        max_age=30 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SECURE_COOKIES")),
    )
    return response


def _submission(form: CommentForm) -> Submission:
    return Submission(
        name=form.name.data.strip(),
        email=form.email.data.strip(),
        body=form.body.data.replace("\r\n", "\n").strip(),
        website=clean_website(form.website.data or ""),
        parent_id=form.parent_id.data,
        video_time=form.video_time.data,
        notify=bool(form.notify.data),
        form_age=tokens.form_age(form.started.data),
        honeypot=form.company.data or "",
    )


def _refused(panel: Panel, form: CommentForm, status: int, message: str | None = None):
    """Answer a failed post: JSON errors, or the panel page again with the form as typed."""
    if _wants_json():
        return jsonify(message=message or "Please check the form.", errors=form.errors), status
    g.comment_form, g.comment_error = form, message
    # Reuse the panel view itself, so the page is complete whatever it shows.
    page = current_app.view_functions["events.panel"](event_slug=panel.event.slug, slug=panel.slug)
    response = make_response(page)
    response.status_code = status
    # The page echoes the sender's own e-mail back into the form: keep it out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/events/<event_slug>/<slug>/comments")
def post(event_slug: str, slug: str):
    """Post a comment: JSON for the page's script, redirect to the comment without it.

    :raise 404: panel not visible.
    """
    panel = _visible_panel_or_404(event_slug, slug)
    form = CommentForm()
    if not form.validate_on_submit():
        return _refused(panel, form, 400)
    try:
        result = ops.post_comment(panel, _submission(form), request.remote_addr or "")
    except CommentRefused as exc:
        return _refused(panel, form, exc.status, exc.message)
    comment = result.comment
    visible = comment is not None and result.verdict in (Verdict.APPROVE, Verdict.HOLD)
    message = "Thanks, your comment is published." if result.verdict is Verdict.APPROVE else AWAITING
    if _wants_json():
        payload: dict = {"status": "approved" if result.verdict is Verdict.APPROVE else "pending", "message": message}
        if visible:
            payload.update(id=comment.id, parent_id=comment.parent_id, html=comment_item_html(panel, comment))
        response = jsonify(payload)
    else:
        flash(message, "success")
        response = redirect(_panel_url(panel, f"#comment-{comment.id}" if visible else "#comments"), 303)
    return _remember(response, comment) if visible else response


def _own_comment_or_404(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.deleted or comment.status not in (CommentStatus.APPROVED, CommentStatus.PENDING):
        abort(404)
    return comment


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id: int):
    """Edit your own comment within the edit window.

    :raise 404: no such comment. :raise 403: not yours, or too late.
    """
    comment = _own_comment_or_404(comment_id)
    form = EditCommentForm(body=comment.body_source)
    error = None
    if request.method == "GET":
        if not tokens.owns(authorship(), comment):
            abort(403)
        form.token.data = tokens.edit_token(comment)
        try:
            ops.check_author(comment, form.token.data)
        except CommentRefused as exc:
            return render_template("discussion/edit.html", form=None, comment=comment, error=exc.message), 403
    if form.validate_on_submit():
        try:
            ops.edit_comment(comment, form.token.data, form.body.data.replace("\r\n", "\n").strip())
        except CommentRefused as exc:
            error, status = exc.message, exc.status
        else:
            flash("Your comment was updated.", "success")
            response = redirect(_panel_url(comment.panel, f"#comment-{comment.id}"), 303)
            return _remember(response, comment)
    else:
        status = 400 if request.method == "POST" else 200
    page = render_template("discussion/edit.html", form=form, comment=comment, error=error)
    return page, status


@bp.post("/comments/<int:comment_id>/delete")
def delete(comment_id: int):
    """Delete your own comment within the edit window.

    :raise 404: no such comment. :raise 403: not yours, or too late.
    """
    comment = _own_comment_or_404(comment_id)
    panel = comment.panel
    form = DeleteCommentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ops.delete_comment(comment, form.token.data)
    except CommentRefused as exc:
        return render_template("discussion/edit.html", form=None, comment=comment, error=exc.message), exc.status
    flash("Your comment was deleted.", "success")
    return redirect(_panel_url(panel, "#comments"), 303)


@bp.get("/avatars/<key>.svg")
def avatar(key: str):
    """A commenter's identicon.

    :raise 404: not an avatar key.
    """
    if not AVATAR_KEY.fullmatch(key):
        abort(404)
    response = make_response(identicon_svg(key))
    response.mimetype = "image/svg+xml"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    # The picture for a key never changes.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/events/<event_slug>/<slug>/comments.atom")
def feed(event_slug: str, slug: str):
    """Atom feed of a panel's approved comments, newest first (no e-mail addresses).

    :raise 404: panel not visible.
    """
    panel = _visible_panel_or_404(event_slug, slug)
    comments = feed_comments(panel.id)
    body = render_template("discussion/comments.atom.xml", panel=panel, comments=comments)
    return Response(body, mimetype="application/atom+xml")


@bp.route("/comments/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients POST here with no session (RFC 8058); the signed token is the authority
def unsubscribe(token: str):
    """Stop reply notifications: a button on GET (link scanners only GET), done on POST.

    :raise 404: the link is not valid.
    """
    found = tokens.read_unsubscribe_token(token)
    if found is None or db.session.get(Comment, found[0]) is None:
        abort(404)
    form = UnsubscribeForm()
    done = None
    if request.method == "POST":
        done = notifications.unsubscribe(token)
        if done is None:
            abort(404)
    return render_template("discussion/unsubscribe.html", form=form, done=done)
