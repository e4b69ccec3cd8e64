"""Signed tokens and keyed hashes: who wrote what, when a form was shown, who unsubscribes.

Everything here is keyed with the app's secret key, so nothing derived from
an e-mail or IP address can be recomputed by someone who knows the address
(unlike the plain md5 that made gravatar hashes crackable).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import current_app, session
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature

from ..mail import normalise_email
from ..signed import form_age as _signed_form_age
from ..signed import form_token as _signed_form_token
from ..signed import keyed_hash, read_timed_link
from ..signed import serializer as _serializer
from ..signed import timed_serializer as _timed
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


def address_hash(email: str) -> str:
    """What :class:`CommenterAddress` stores for an address: keyed, so a leaked table names nobody."""
    return keyed_hash("commenter", normalise_email(email))


def avatar_key(email: str) -> str:
    """The public name of a commenter's avatar; meaningless without the secret key."""
    return keyed_hash("avatar", normalise_email(email))[:32]


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
    return _signed_form_token("comment-form", now, session_tag() if tag is None else tag)


def form_age(token: str, now: float | None = None) -> float | None:
    """Seconds since the form was shown in this session; None when missing, forged or another session's."""
    return _signed_form_age("comment-form", token, now, session_tag())


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
    comment_id, email_hash = read_timed_link(
        "comment-confirm",
        token,
        max_age,
        "confirmation link",
        "Post your comment again and we'll mail you a new one.",
        2,
    )
    return int(comment_id), str(email_hash)


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


def panelist_link_token(access_id: int, nonce: str) -> str:
    """The magic link's token: which grant (panelist and event), and the nonce that makes it single-use."""
    return _timed("panelist-event-link").dumps([access_id, nonce])


def read_panelist_link_token(token: str, max_age: float) -> tuple[int, str]:
    """``(access id, nonce)`` from a magic link.

    :raise LinkProblem: forged, damaged or expired.
    """
    access_id, nonce = read_timed_link(
        "panelist-event-link", token, max_age, "sign-in link", "Please ask the organisers to send you a new one.", 2
    )
    return int(access_id), str(nonce)


#: Grants one browser keeps (a panelist on the panels of several events has one per event).
PANELIST_GRANT_LIMIT = 10


def panelist_cookie(grants: list[tuple[int, int]]) -> str:
    """The browser's grants, ``(access id, version)`` each: valid while the access row still has
    that version. The newest comes last."""
    return _timed("panelist-grants").dumps([list(grant) for grant in grants[-PANELIST_GRANT_LIMIT:]])


def read_panelist_cookie(cookie: str | None) -> list[tuple[int, int]]:
    """The ``(access id, version)`` grants of the browser, oldest first; none for a bad cookie."""
    try:
        grants = _timed("panelist-grants").loads(cookie or "", max_age=BROWSER_GRANT_SECONDS)
        return [(int(access_id), int(version)) for access_id, version in grants][-PANELIST_GRANT_LIMIT:]
    except (BadSignature, TypeError, ValueError):
        return []


def panelist_stop_token(access_id: int, version: int) -> str:
    """Signed token in new-comment mails: stops them with one click."""
    return _serializer("panelist-event-stop").dumps([access_id, version])


def read_panelist_stop_token(token: str) -> tuple[int, int] | None:
    """``(access id, version)`` from a stop link, or None."""
    try:
        access_id, version = _serializer("panelist-event-stop").loads(token or "")
        return int(access_id), int(version)
    except (BadSignature, TypeError, ValueError):
        return None
