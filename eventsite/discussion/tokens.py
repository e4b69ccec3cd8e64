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

from flask import current_app, session
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from .models import Comment

#: Cookie that remembers, for one browser, the comments it posted.
AUTHORSHIP_COOKIE = "eventsite_comments"
#: Most comments remembered in that cookie (keeps it far under 4 kB).
AUTHORSHIP_LIMIT = 20
#: Cookie naming the addresses this browser confirmed (keyed hashes only).
COMMENTER_COOKIE = "eventsite_commenter"
#: Addresses remembered per browser (a shared family computer).
COMMENTER_LIMIT = 5
#: Cookie that lets a verified panelist's browser comment as them.
PANELIST_COOKIE = "eventsite_panelist"
#: How long a browser stays confirmed or verified without visiting again.
BROWSER_GRANT_SECONDS = 365 * 24 * 3600
#: The public name of the avatar every unproven comment gets.
NEUTRAL_AVATAR_KEY = "0" * 32


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _timed(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


class LinkProblem(Exception):
    """A mailed link that cannot be used, with a sentence for the person who opened it."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def _read_timed(salt: str, token: str, max_age: float, what: str):
    """The payload of a timed link.

    :raise LinkProblem: forged or damaged (400), or older than ``max_age`` (410).
    """
    try:
        return _timed(salt).loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise LinkProblem(f"This {what} has expired. {_EXPIRED_HINT[what]}", 410) from None
    except BadSignature:
        raise LinkProblem(f"This {what} is not valid. Please check that the whole link was copied.", 400) from None


_EXPIRED_HINT = {
    "confirmation link": "Post your comment again and we'll mail you a new one.",
    "sign-in link": "Please ask the organisers to send you a new one.",
}


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value``, keyed by the secret key and a purpose label."""
    key = hashlib.sha256(f"{purpose}:{current_app.config['SECRET_KEY']}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def address_hash(email: str) -> str:
    """What :class:`CommenterAddress` stores for an address: keyed, so a leaked table names nobody."""
    return keyed_hash("commenter", normalise_email(email))


def normalise_email(email: str) -> str:
    """The address as compared everywhere: trimmed and lower-cased."""
    return (email or "").strip().lower()


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


def session_tag(csrf_secret: str | None = None) -> str:
    """A keyed hash of this browser session's CSRF secret, to bind form times to it.

    A form time fetched by one client (a bot farm's page loader) then says
    nothing about how long another session took to write. Flask-WTF keeps
    the secret in the session; asking for the CSRF token creates it.
    """
    if csrf_secret is None:
        generate_csrf()
        csrf_secret = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), "")
    return keyed_hash("comment-form-session", csrf_secret)[:16]


def form_token(now: float | None = None, tag: str | None = None) -> str:
    """A signed "form shown at" time, bound to this session, for the comment form's hidden field.

    :param tag: the :func:`session_tag` to bind to; this request's session by default.
    """
    issued = int(now if now is not None else time.time())
    return _serializer("comment-form").dumps([issued, session_tag() if tag is None else tag])


def form_age(token: str, now: float | None = None) -> float | None:
    """Seconds since the form was shown in this session; None when missing, forged or another session's."""
    try:
        issued, tag = _serializer("comment-form").loads(token or "")
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(issued, int) or not isinstance(tag, str) or not hmac.compare_digest(tag, session_tag()):
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


# Confirming an address ------------------------------------------------------


def confirm_token(comment: Comment) -> str:
    """The signed link mailed after an unproven comment: "this comment is mine"."""
    return _timed("comment-confirm").dumps([comment.id, address_hash(comment.author_email)])


def read_confirm_token(token: str, max_age: float) -> tuple[int, str]:
    """``(comment id, address hash)`` from a confirmation link.

    :raise LinkProblem: forged, damaged or expired.
    """
    payload = _read_timed("comment-confirm", token, max_age, "confirmation link")
    try:
        comment_id, email_hash = payload
        return int(comment_id), str(email_hash)
    except (TypeError, ValueError):
        raise LinkProblem("This confirmation link is not valid.", 400) from None


def read_commenter_cookie(cookie: str | None) -> list[str]:
    """The address hashes this browser confirmed; [] when missing, forged or too old."""
    try:
        hashes = _timed("commenter-browser").loads(cookie or "", max_age=BROWSER_GRANT_SECONDS)
    except BadSignature:
        return []
    return [str(h) for h in hashes] if isinstance(hashes, list) else []


def write_commenter_cookie(hashes: list[str], email_hash: str) -> str:
    """The cookie value with ``email_hash`` added as the newest address."""
    kept = [h for h in hashes if h != email_hash][-(COMMENTER_LIMIT - 1) :]
    return _timed("commenter-browser").dumps([*kept, email_hash])


# Verified panelists --------------------------------------------------------


def panelist_link_token(panelist_id: int, nonce: str) -> str:
    """The magic link's token: which panelist, and the nonce that makes it single-use."""
    return _timed("panelist-link").dumps([panelist_id, nonce])


def read_panelist_link_token(token: str, max_age: float) -> tuple[int, str]:
    """``(panelist id, nonce)`` from a magic link.

    :raise LinkProblem: forged, damaged or expired.
    """
    payload = _read_timed("panelist-link", token, max_age, "sign-in link")
    try:
        panelist_id, nonce = payload
        return int(panelist_id), str(nonce)
    except (TypeError, ValueError):
        raise LinkProblem("This sign-in link is not valid.", 400) from None


def panelist_cookie(panelist_id: int, version: int) -> str:
    """The browser grant: valid while the access row still has ``version``."""
    return _timed("panelist-browser").dumps([panelist_id, version])


def read_panelist_cookie(cookie: str | None) -> tuple[int, int] | None:
    """``(panelist id, version)`` from the browser grant, or None."""
    try:
        panelist_id, version = _timed("panelist-browser").loads(cookie or "", max_age=BROWSER_GRANT_SECONDS)
        return int(panelist_id), int(version)
    except (BadSignature, TypeError, ValueError):
        return None


def panelist_stop_token(panelist_id: int, version: int) -> str:
    """Signed token in new-comment mails: stops them with one click."""
    return _serializer("panelist-stop").dumps([panelist_id, version])


def read_panelist_stop_token(token: str) -> tuple[int, int] | None:
    try:
        panelist_id, version = _serializer("panelist-stop").loads(token or "")
        return int(panelist_id), int(version)
    except (BadSignature, TypeError, ValueError):
        return None
