"""Sign-in and sign-out, "forgot your password?", and the mailed links to choose a password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter
from . import throttle
from .forms import ChoosePasswordForm, ForgotPasswordForm, LoginForm
from .links import LinkRefused, check_link, duration_words, lifetime, request_reset, use_link
from .models import LinkPurpose
from .operations import AccountError, authenticate, end_sessions, record_sign_in

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else the studio.

    Refuses ``//evil``, ``https://evil`` and backslash tricks that browsers
    treat as another host (open redirects).
    """
    fallback = url_for("studio.dashboard")
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Organiser sign-in; the next page comes from ``?next=`` if it is ours."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        minutes = throttle.minutes_blocked(form.email.data)
        if minutes:
            # the password is not even checked, so guessing on gains nothing
            flash(throttle.blocked_message(minutes), "error")
            return render_template("accounts/login.html", form=form), 429
        organiser = authenticate(form.email.data, form.password.data)
        if organiser is not None:
            login_user(organiser, remember=form.remember.data)
            record_sign_in(organiser)
            flash(f"Welcome back, {organiser.name}.", "success")
            return redirect(safe_next(form.next.data))
        throttle.record_failure(form.email.data)
        flash("That e-mail and password don't match an organiser account.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_sessions(current_user._get_current_object())  # a copied cookie must not outlive this
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("events.home"))


@bp.route("/login/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """Ask for a password-reset link. The answer is the same whether or not the
    address has an account, so the form cannot be used to find out who organises."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if throttle.reset_mail_allowed(form.email.data):
            request_reset(form.email.data)
        return redirect(url_for(".forgot_password_sent"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.get("/login/forgot/sent")
def forgot_password_sent():
    """The one answer to every "forgot your password?" request."""
    valid_for = duration_words(lifetime(LinkPurpose.RESET))
    return render_template("accounts/forgot_sent.html", valid_for=valid_for)


def _private(response):
    # The secret is in the URL: no other site may receive it as a Referer, and no cache may keep the page.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/password/<secret>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def choose_password(secret: str):
    """Choose a password through an invitation or reset link, then go to the studio signed in.

    :raise 404: not a link we sent. 410: used, replaced, expired, or the account was deactivated.
    """
    try:
        link = check_link(secret)
    except LinkRefused as exc:
        page = render_template("accounts/link_refused.html", message=exc.message)
        return _private(make_response(page, exc.status))
    form = ChoosePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            organiser = use_link(secret, form.password.data)
        except LinkRefused as exc:
            page = render_template("accounts/link_refused.html", message=exc.message)
            return _private(make_response(page, exc.status))
        except AccountError as exc:
            form.password.errors = [str(exc)]
            status = 422
        else:
            login_user(organiser)
            record_sign_in(organiser)
            flash(f"Your password is set. Welcome, {organiser.name}.", "success")
            return redirect(url_for("studio.dashboard"), 303)
    elif request.method == "POST":
        status = 400
    page = render_template("accounts/choose_password.html", form=form, link=link, organiser=link.organiser)
    return _private(make_response(page, status))
