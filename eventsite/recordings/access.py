"""Who is asking: organisers by login cookie (with a CSRF header) or by API token."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from ..accounts.models import Organiser
from ..accounts.operations import organiser_for_token


class AccessRefused(Exception):
    """The request may not do this; ``status`` is 401 (who are you?) or 403 (not like that)."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer …`` header, if there is one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_organiser() -> Organiser | None:
    """The organiser of the request's bearer token, or None when it carries none.

    :raise AccessRefused: a token was sent but it is not valid (401).
    """
    token = bearer_token()
    if token is None:
        return None
    organiser = organiser_for_token(token)
    if organiser is None:
        raise AccessRefused("That API token is not valid.")
    return organiser


def request_organiser(*, require_csrf: bool) -> Organiser:
    """The organiser making a request that changes something (the tus endpoint).

    A bearer token is enough on its own: browsers never attach one by
    themselves, so it cannot be forged cross-site. A login cookie is sent by
    the browser to any request, so it counts only together with the CSRF
    token of a studio page in an ``X-CSRFToken`` header. That token is tied
    to the session, and may be as old as the upload expiry period (an
    upload can run for hours, longer than a form's token lives).

    :raise AccessRefused: 401 for anonymous requests or bad tokens, 403 for a
        cookie without a valid CSRF header.
    """
    organiser = token_organiser()
    if organiser is not None:
        return organiser
    if not current_user.is_authenticated:
        raise AccessRefused("Please sign in as an organiser, or send an API token.")
    if require_csrf:
        try:
            validate_csrf(
                request.headers.get("X-CSRFToken", ""),
                time_limit=current_app.config["UPLOAD_EXPIRES_SECONDS"],
            )
        except ValidationError:
            raise AccessRefused(
                "This request needs the CSRF token of a studio page; reload the page and try again.", 403
            ) from None
    return current_user._get_current_object()


def viewer_is_organiser() -> bool:
    """Whether the person reading media is an organiser (cookie or token); never raises."""
    if current_user.is_authenticated:
        return True
    try:
        return token_organiser() is not None
    except AccessRefused:
        return False
