"""Signed values of the sign-up: the form's time, and the links mailed to subscribers.

Each kind of link has its own salt, so a confirmation token can never be
used as a download token or the other way round. Links name a subscriber row
and carry a keyed hash of its address: a link for an address that was
deleted and signed up again (a new row) or changed stops working.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from .models import Subscriber


class LinkProblem(Exception):
    """A mailed link that cannot be used, with a sentence for its reader and an HTTP status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def _key() -> str:
    return current_app.config["SECRET_KEY"]


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under the secret key (rate-limit keys, link bindings)."""
    key = hashlib.sha256(f"offers:{purpose}:{_key()}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def normalise_email(email: str) -> str:
    """The address as stored and compared: trimmed and lower-cased."""
    return (email or "").strip().lower()


def _binding(subscriber: Subscriber) -> str:
    return keyed_hash("subscriber", f"{subscriber.id}:{subscriber.email}")[:24]


# The form's time ----------------------------------------------------------


def form_token(now: float | None = None) -> str:
    """The signed "form shown at" time in the sign-up form's hidden field."""
    return URLSafeSerializer(_key(), salt="offer-form").dumps(int(now if now is not None else time.time()))


def form_age(token: str, now: float | None = None) -> float | None:
    """Seconds since the form was shown; None when the token is missing or forged."""
    try:
        issued = URLSafeSerializer(_key(), salt="offer-form").loads(token or "")
    except BadSignature:
        return None
    if not isinstance(issued, int):
        return None
    return (now if now is not None else time.time()) - issued


# Mailed links --------------------------------------------------------------

#: What each link is called in its error messages, and what to do when it expired.
_LINKS = {
    "offer-confirm": ("confirmation link", "Please sign up again and we'll send you a new one."),
    "offer-download": ("download link", "Please sign up again with the same address to get a new one."),
}


def link_token(kind: str, subscriber: Subscriber) -> str:
    """A signed, timed token for ``kind`` ("offer-confirm" or "offer-download")."""
    return URLSafeTimedSerializer(_key(), salt=kind).dumps([subscriber.id, _binding(subscriber)])


def read_link_token(kind: str, token: str, max_age: float) -> tuple[int, str]:
    """``(subscriber id, binding)`` of a timed link.

    :raise LinkProblem: forged or damaged (400), or older than ``max_age`` (410).
    """
    what, hint = _LINKS[kind]
    try:
        subscriber_id, binding = URLSafeTimedSerializer(_key(), salt=kind).loads(token or "", max_age=max_age)
        return int(subscriber_id), str(binding)
    except SignatureExpired:
        raise LinkProblem(f"This {what} has expired. {hint}", 410) from None
    except (BadSignature, TypeError, ValueError):
        raise LinkProblem(f"This {what} is not valid. Please check that the whole link was copied.", 400) from None


def binds(subscriber: Subscriber | None, binding: str) -> bool:
    """True when a link's binding was made for exactly this subscriber row."""
    return subscriber is not None and hmac.compare_digest(_binding(subscriber), binding)


def unsubscribe_token(subscriber: Subscriber) -> str:
    """The token of the unsubscribe link in every mail; it does not expire (RFC 8058 expects that)."""
    return URLSafeSerializer(_key(), salt="offer-unsubscribe").dumps([subscriber.id, _binding(subscriber)])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """``(subscriber id, binding)`` from an unsubscribe link, or None when forged."""
    try:
        subscriber_id, binding = URLSafeSerializer(_key(), salt="offer-unsubscribe").loads(token or "")
        return int(subscriber_id), str(binding)
    except (BadSignature, TypeError, ValueError):
        return None
