"""Public discussion endpoints: post, edit, delete, permalinks, avatars, feed, unsubscribe."""

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

from ..events.loader import load_panel
from ..events.models import Panel
from ..events.page import render_panel_page
from ..extensions import csrf, db
from . import notifications, panelists, tokens
from . import operations as ops
from .avatars import identicon_svg, neutral_svg
from .context import authorship, comment_item_html, comment_path, page_for
from .forms import CommentForm, DeleteCommentForm, EditCommentForm, PanelistCommentForm, UnsubscribeForm
from .markup import clean_website
from .models import Comment, CommentStatus
from .queries import feed_comments
from .rules import CommentRefused, Submission, Verdict

bp = Blueprint("discussion", __name__)

AWAITING = "Your comment is awaiting moderation."
AWAITING_CONFIRMATION = (
    "Your comment is awaiting moderation. We have e-mailed you a link: follow it to confirm the comment is yours."
)
AVATAR_KEY = re.compile(r"[0-9a-f]{32}")


def _visible_panel_or_404(event_slug: str, slug: str, endpoint: str | None = None) -> Panel:
    """The panel, if this visitor may see it (see :func:`eventsite.events.loader.load_panel`).

    :raise 301: an old slug, with ``endpoint``.
    :raise 404: unknown, or not public and not signed in.
    """
    return load_panel(event_slug, slug, endpoint=endpoint)


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


def _submission(form: CommentForm, voice: panelists.Voice | None) -> Submission:
    """What the visitor sent; a verified panelist's name and address come from their grant."""
    body = form.body.data.replace("\r\n", "\n").strip()
    common = {
        "body": body,
        "parent_id": form.parent_id.data,
        "video_time": form.video_time.data,
        "notify": bool(form.notify.data),
        "form_age": tokens.form_age(form.started.data),
        "honeypot": form.company.data or "",
    }
    if voice is not None:
        return Submission(name=voice.panelist.name, email=voice.email, panelist_id=voice.panelist.id, **common)
    email = form.email.data.strip()
    proven = tokens.address_hash(email) in tokens.read_commenter_cookie(request.cookies.get(tokens.COMMENTER_COOKIE))
    return Submission(
        name=form.name.data.strip(),
        email=email,
        website=clean_website(form.website.data or ""),
        proven=proven,
        **common,
    )


def _refused(panel: Panel, form: CommentForm, status: int, message: str | None = None):
    """Answer a failed post: JSON errors, or the panel page again with the form as typed."""
    # a fresh form time, so a form refused as too old (or for any other
    # reason) can be posted again as typed once it is fixed
    form.started.data = tokens.form_token()
    if _wants_json():
        return jsonify(
            message=message or "Please check the form.", errors=form.errors, started=form.started.data
        ), status
    g.comment_form, g.comment_error = form, message
    response = make_response(render_panel_page(panel, status))
    # The page echoes the sender's own e-mail back into the form: keep it out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/events/<event_slug>/<slug>/comments")
def post(event_slug: str, slug: str):
    """Post a comment: JSON for the page's script, redirect to the comment without it.

    :raise 404: panel not visible.
    """
    panel = _visible_panel_or_404(event_slug, slug)
    voice = panelists.voice_on(panel)
    form = PanelistCommentForm() if voice else CommentForm()
    if not form.validate_on_submit():
        return _refused(panel, form, 400)
    sub = _submission(form, voice)
    try:
        result = ops.post_comment(panel, sub, request.remote_addr or "")
    except CommentRefused as exc:
        return _refused(panel, form, exc.status, exc.message)
    comment = result.comment
    visible = comment is not None and result.verdict in (Verdict.APPROVE, Verdict.HOLD)
    if result.verdict is Verdict.APPROVE:
        message = "Thanks, your comment is published."
    elif not (sub.proven or voice):
        # Said for every unproven comment, whatever the address.
        message = AWAITING_CONFIRMATION
    else:
        message = AWAITING
    page = page_for(comment, own=True) if visible else None
    if _wants_json():
        payload: dict = {"status": "approved" if result.verdict is Verdict.APPROVE else "pending", "message": message}
        if visible:
            payload.update(
                id=comment.id,
                parent_id=comment.parent_id,
                html=comment_item_html(panel, comment),
                # The script moves to this page when the comment is not on the one shown.
                page=page,
                url=comment_path(comment, page),
            )
        response = jsonify(payload)
    else:
        flash(message, "success")
        response = redirect(comment_path(comment, page) if visible else _panel_url(panel, "#comments"), 303)
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
            response = redirect(comment_path(comment, page_for(comment, own=True)), 303)
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


def _shown_comment_or_404(comment_id: int) -> Comment:
    """A comment this visitor may see: approved, or their own one awaiting moderation.

    :raise 404: no such comment, deleted, held for someone else, spam or
        trash, or its panel is not public.
    """
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.deleted:
        abort(404)
    own_held = comment.status is CommentStatus.PENDING and tokens.owns(authorship(), comment)
    if comment.status is not CommentStatus.APPROVED and not own_held:
        abort(404)
    if not comment.panel.is_public():
        abort(404)
    return comment


@bp.get("/comments/<int:comment_id>/")
def permalink(comment_id: int):
    """A comment's lasting address: redirect to the page of the discussion that shows it.

    The page is worked out on every visit, so links in mails and feeds still
    land on the comment after new threads have moved it to another page.

    :raise 404: see :func:`_shown_comment_or_404`.
    """
    comment = _shown_comment_or_404(comment_id)
    response = redirect(comment_path(comment, page_for(comment)), 302)
    # Where it points changes as the discussion grows, and with this visitor's cookie.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/avatars/<key>.svg")
def avatar(key: str):
    """A commenter's identicon (or the neutral picture of unproven comments).

    :raise 404: not an avatar key.
    """
    if not AVATAR_KEY.fullmatch(key):
        abort(404)
    response = make_response(neutral_svg() if key == tokens.NEUTRAL_AVATAR_KEY else identicon_svg(key))
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
    panel = _visible_panel_or_404(event_slug, slug, endpoint="discussion.feed")
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
