"""Signed values of the sign-up: the form's time, and the links mailed to subscribers.

Each kind of link has its own salt, so a confirmation token can never be
used as a download token or the other way round. Links name a subscriber row
and carry a keyed hash of its address: a link for an address that was
deleted and signed up again (a new row) or changed stops working.
"""

from __future__ import annotations

import hmac

from itsdangerous import BadSignature

from .. import signed
from ..mail import normalise_email  # noqa: F401  (offers use tokens.normalise_email)
from .models import Subscriber


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under the secret key (rate-limit keys, link bindings)."""
    return signed.keyed_hash(f"offers:{purpose}", value)


def _binding(subscriber: Subscriber) -> str:
    return keyed_hash("subscriber", f"{subscriber.id}:{subscriber.email}")[:24]


# The form's time ----------------------------------------------------------


def form_token(now: float | None = None) -> str:
    """The signed "form shown at" time in the sign-up form's hidden field."""
    return signed.form_token("offer-form", now)


def form_age(token: str, now: float | None = None) -> float | None:
    """Seconds since the form was shown; None when the token is missing or forged."""
    return signed.form_age("offer-form", token, now)


# Mailed links --------------------------------------------------------------

#: What each link is called in its error messages, and what to do when it expired.
_LINKS = {
    "offer-confirm": ("confirmation link", "Please sign up again and we'll send you a new one."),
    "offer-download": ("download link", "Please sign up again with the same address to get a new one."),
}


def link_token(kind: str, subscriber: Subscriber) -> str:
    """A signed, timed token for ``kind`` ("offer-confirm" or "offer-download")."""
    return signed.timed_serializer(kind).dumps([subscriber.id, _binding(subscriber)])


def read_link_token(kind: str, token: str, max_age: float) -> tuple[int, str]:
    """``(subscriber id, binding)`` of a timed link.

    :raise LinkProblem: forged or damaged (400), or older than ``max_age`` (410).
    """
    what, hint = _LINKS[kind]
    subscriber_id, binding = signed.read_timed_link(kind, token, max_age, what, hint, size=2)
    return int(subscriber_id), str(binding)


def binds(subscriber: Subscriber | None, binding: str) -> bool:
    """True when a link's binding was made for exactly this subscriber row."""
    return subscriber is not None and hmac.compare_digest(_binding(subscriber), binding)


def unsubscribe_token(subscriber: Subscriber) -> str:
    """The token of the unsubscribe link in every mail; it does not expire (RFC 8058 expects that)."""
    return signed.serializer("offer-unsubscribe").dumps([subscriber.id, _binding(subscriber)])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """``(subscriber id, binding)`` from an unsubscribe link, or None when forged."""
    try:
        subscriber_id, binding = signed.serializer("offer-unsubscribe").loads(token or "")
        return int(subscriber_id), str(binding)
    except (BadSignature, TypeError, ValueError):
        return None
