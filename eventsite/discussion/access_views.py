"""Links mailed to people: confirming a comment's address, a panelist's magic link, their page.

Every link first shows a page with one button and acts only on POST: mail
scanners open links, and must not use up a single-use link or confirm an
address on someone's behalf.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from ..extensions import csrf
from ..signed import LinkProblem, link_problem_page
from . import panelists, tokens, trust
from .context import comment_path, page_for
from .forms import ConfirmLinkForm, PanelistNotifyForm, UnsubscribeForm
from .views import _remember, bp


def _set_cookie(response, name: str, value: str):
    response.set_cookie(
        name,
        value,
        max_age=tokens.BROWSER_GRANT_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SECURE_COOKIES")),
    )
    return response


@bp.route("/comments/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Confirm that a comment is yours: the address becomes trusted on this browser.

    :raise 400/410: a forged, expired or used link (as a page saying so).
    """
    title = "Confirm your comment"
    try:
        comment = trust.check_link(token)
    except LinkProblem as exc:
        return link_problem_page(exc, title)
    form = ConfirmLinkForm()
    if not form.validate_on_submit():
        return render_template("discussion/link.html", title=title, comment=comment, form=form)
    try:
        done = trust.confirm(token)
    except LinkProblem as exc:
        return link_problem_page(exc, title)
    if done.published:
        flash("Thanks, your address is confirmed and your comment is published.", "success")
    else:
        flash("Thanks, your address is confirmed. Your comment is awaiting moderation.", "success")
    comment = done.comment
    response = redirect(comment_path(comment, page_for(comment, own=True)), 303)
    hashes = tokens.read_commenter_cookie(request.cookies.get(tokens.COMMENTER_COOKIE))
    _set_cookie(response, tokens.COMMENTER_COOKIE, tokens.write_commenter_cookie(hashes, done.email_hash))
    return _remember(response, comment)


@bp.route("/panelists/welcome/<token>", methods=["GET", "POST"])
def panelist_welcome(token: str):
    """A panelist's magic link: this browser may comment as them from now on.

    :raise 400/410: a forged, expired, used or revoked link (as a page saying so).
    """
    title = "Comment as yourself"
    try:
        access = panelists.check_magic_link(token)
    except LinkProblem as exc:
        return link_problem_page(exc, title)
    form = ConfirmLinkForm()
    if not form.validate_on_submit():
        return render_template("discussion/link.html", title=title, panelist=access.panelist, form=form)
    try:
        access = panelists.open_magic_link(token)
    except LinkProblem as exc:
        return link_problem_page(exc, title)
    flash(f"This browser now comments as {access.panelist.name}.", "success")
    response = redirect(url_for("discussion.panelist_home"), 303)
    # Added to the browser's other grants (other events' panels), replacing an older one of this access.
    grants = [grant for grant in panelists.browser_grants() if grant[0] != access.id]
    return _set_cookie(response, tokens.PANELIST_COOKIE, tokens.panelist_cookie([*grants, (access.id, access.version)]))


@bp.route("/panelists/me", methods=["GET", "POST"])
def panelist_home():
    """A verified panelist's page: their panels, new-comment mails, signing this browser out.

    :raise 403: this browser is not a verified panelist (or was revoked).
    """
    voice = panelists.browser_voice()
    if voice is None:
        abort(403)
    form = PanelistNotifyForm(notify=voice.access.notify_new_comments)
    if form.validate_on_submit():
        if request.form.get("action") == "sign-out":
            flash("This browser no longer comments as you.", "success")
            response = redirect(url_for("events.home"), 303)
            response.delete_cookie(tokens.PANELIST_COOKIE)
            return response
        panelists.set_notifications(voice.access, bool(form.notify.data))
        flash("Saved.", "success")
        return redirect(url_for("discussion.panelist_home"), 303)
    return render_template("discussion/panelist_home.html", voice=voice, panels=panelists.panels_of(voice), form=form)


@bp.route("/panelists/stop/<token>", methods=["GET", "POST"])
@csrf.exempt  # one-click from mail clients (RFC 8058); the signed token is the authority
def panelist_stop(token: str):
    """Stop new-comment mails: a button on GET, done on POST.

    :raise 404: the link is not valid (or the access was revoked since).
    """
    if tokens.read_panelist_stop_token(token) is None:
        abort(404)
    done = None
    if request.method == "POST":
        done = panelists.stop_notifications(token)
        if done is None:
            abort(404)
    return render_template("discussion/panelist_stop.html", form=UnsubscribeForm(), done=done)
