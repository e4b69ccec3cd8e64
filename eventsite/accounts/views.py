"""Login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter
from . import throttle
from .forms import LoginForm
from .operations import authenticate

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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
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
            flash(f"Welcome back, {organiser.name}.", "success")
            return redirect(safe_next(form.next.data))
        throttle.record_failure(form.email.data)
        flash("That e-mail and password don't match an organiser account.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("events.home"))
