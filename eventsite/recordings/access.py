"""Who is asking: organisers by login cookie (with a CSRF header) or by API token,
and whether they manage the event of what they ask for."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from ..accounts.access import can_manage_event, can_see_panelist
from ..accounts.models import Organiser
from ..accounts.tokens import TokenRefused, check_token
from ..database import row_id
from ..events.models import Panel
from ..extensions import db
from ..refusals import Refused
from ..storage import PEOPLE_FOLDER, key_owner
from .models import Recording


class AccessRefused(Refused):
    """The request may not do this; ``status`` is 401 (who are you?) or 403 (not like that)."""

    status = 401


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer …`` header, if there is one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_organiser() -> Organiser | None:
    """The organiser of the request's bearer token, or None when it carries none.

    :raise AccessRefused: a token was sent but does not work (401), saying why:
        unknown, expired, revoked, or its account deactivated.
    """
    token = bearer_token()
    if token is None:
        return None
    try:
        return check_token(token)
    except TokenRefused as exc:
        raise AccessRefused(exc.message) from None


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


def viewer() -> Organiser | None:
    """The organiser reading (cookie or token), or None; never raises."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    try:
        return token_organiser()
    except AccessRefused:
        return None


def viewer_is_organiser() -> bool:
    """Whether the person reading media is an organiser (cookie or token); never raises."""
    return viewer() is not None


def viewer_manages_event(event_id: int | None) -> bool:
    """Whether the person reading is an organiser who manages ``event_id``: they see its
    drafts and private media; an organiser limited to other events does not."""
    return can_manage_event(viewer(), event_id)


def viewer_may_see_panelist(panelist_id: int) -> bool:
    """Whether the person reading is an organiser who may see this (not yet public) person."""
    return can_see_panelist(viewer(), panelist_id)


def viewer_may_read_private(key: str) -> bool:
    """Whether the person reading may have the organiser-only stored file ``key``.

    ``recordings/<id>/…`` goes to organisers who manage the recording's event,
    ``people/<id>/…`` to those who may see that person; nothing else is theirs.
    """
    organiser = viewer()
    if organiser is None:
        return False
    if organiser.manages_every_event:
        return True
    folder, owner = key_owner(key) or (None, None)
    owner_id = row_id(owner)
    if owner_id is None:
        return False
    if folder == PEOPLE_FOLDER:
        return can_see_panelist(organiser, owner_id)
    event_id = db.session.scalar(sa.select(Panel.event_id).join(Recording).where(Recording.id == owner_id))
    return can_manage_event(organiser, event_id)
