"""Signed tokens and keyed hashes: who wrote what, when a form was shown, who unsubscribes.

Everything here is keyed with the app's secret key, so nothing derived from
an e-mail or IP address can be recomputed by someone who knows the address
(unlike the plain md5 that made gravatar hashes crackable).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from .models import Comment

#: Cookie that remembers, for one browser, the comments it posted.
AUTHORSHIP_COOKIE = "eventsite_comments"
#: Most comments remembered in that cookie (keeps it far under 4 kB).
AUTHORSHIP_LIMIT = 20


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value``, keyed by the secret key and a purpose label."""
    key = hashlib.sha256(f"{purpose}:{current_app.config['SECRET_KEY']}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def avatar_key(email: str) -> str:
    """The public name of a commenter's avatar; meaningless without the secret key."""
    return keyed_hash("avatar", email.strip().lower())[:32]


def ip_hash(address: str) -> str:
    """Keyed hash of one IP address (rate limits)."""
    return keyed_hash("ip", address or "")


def network_of(address: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The /24 (IPv4) or /56 (IPv6) an address belongs to: a household or small office."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 56
    return ipaddress.ip_network(f"{ip}/{prefix}", strict=False)


def network_hash(address: str) -> str:
    """Keyed hash of the address's network (blocking a range from the queue)."""
    network = network_of(address)
    return keyed_hash("network", str(network)) if network else ""


# Form timing --------------------------------------------------------------


def form_token(now: float | None = None) -> str:
    """A signed "form shown at" time for the hidden field of the comment form."""
    return _serializer("comment-form").dumps(int(now if now is not None else time.time()))


def form_age(token: str, now: float | None = None) -> float | None:
    """Seconds since the form was shown, or None when the token is missing or forged."""
    try:
        issued = _serializer("comment-form").loads(token or "")
    except BadSignature:
        return None
    if not isinstance(issued, int):
        return None
    return (now if now is not None else time.time()) - issued


# Authorship and editing ---------------------------------------------------


def content_digest(comment: Comment) -> str:
    """Short hash over a comment's id, creation time and text.

    Binding edit rights to this, not to the id alone, means a token for a
    deleted comment cannot edit a new one that happens to reuse its id.
    """
    material = f"{comment.id}\n{comment.created_at.isoformat()}\n{comment.body_source}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def edit_token(comment: Comment) -> str:
    """The signed token that lets this comment's author edit or delete it."""
    return _serializer("comment-edit").dumps([comment.id, content_digest(comment)])


def edit_token_matches(token: str, comment: Comment) -> bool:
    """True when ``token`` was issued for exactly this comment as it is now."""
    try:
        comment_id, digest = _serializer("comment-edit").loads(token or "")
    except (BadSignature, ValueError, TypeError):
        return False
    return comment_id == comment.id and hmac.compare_digest(str(digest), content_digest(comment))


def read_authorship(cookie: str | None) -> dict[int, str]:
    """``{comment id: content digest}`` from the authorship cookie; {} if forged."""
    try:
        entries = _serializer("comment-authorship").loads(cookie or "")
    except BadSignature:
        return {}
    try:
        return {int(comment_id): str(digest) for comment_id, digest in entries}
    except (TypeError, ValueError):
        return {}


def write_authorship(entries: dict[int, str], comment: Comment) -> str:
    """The cookie value with ``comment`` added (or refreshed after an edit)."""
    entries = {k: v for k, v in entries.items() if k != comment.id}
    entries[comment.id] = content_digest(comment)
    newest = sorted(entries.items())[-AUTHORSHIP_LIMIT:]
    return _serializer("comment-authorship").dumps([[k, v] for k, v in newest])


def owns(entries: dict[int, str], comment: Comment) -> bool:
    """True when the cookie entries name this comment as it is now."""
    digest = entries.get(comment.id)
    return digest is not None and hmac.compare_digest(digest, content_digest(comment))


# Unsubscribing ------------------------------------------------------------


def unsubscribe_token(comment: Comment) -> str:
    """Signed token in reply notifications; stops notifications for that comment's author."""
    return _serializer("comment-unsubscribe").dumps([comment.id, keyed_hash("unsubscribe", comment.author_email)])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """``(comment id, keyed e-mail hash)`` from an unsubscribe token, or None."""
    try:
        comment_id, email_hash = _serializer("comment-unsubscribe").loads(token or "")
    except (BadSignature, ValueError, TypeError):
        return None
    return int(comment_id), str(email_hash)
