"""Signed and keyed values written once for every area: keyed hashes, the signed
"form shown at" time, and timed links mailed to people (with the page that says
why a link can't be used).

Everything is keyed with the app's secret key and a purpose (the salt), so a
token made for one purpose is never accepted for another, and nothing derived
from an e-mail or IP address can be recomputed by someone who knows the address.
The areas keep their own payloads (which rows a link names); the reading,
expiry and wording of a bad link are these.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from .refusals import Refused


class LinkProblem(Refused):
    """A mailed link that cannot be used, with a sentence for the person who opened it and an HTTP status."""


def serializer(salt: str) -> URLSafeSerializer:
    """Signs values for ``salt`` (links and cookies that do not expire by themselves)."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def timed_serializer(salt: str) -> URLSafeTimedSerializer:
    """Signs values for ``salt`` with the time, so a reader can refuse old ones."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value``, keyed by the secret key and a purpose label."""
    key = hashlib.sha256(f"{purpose}:{current_app.config['SECRET_KEY']}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def read_timed_link(salt: str, token: str, max_age: float, what: str, expired_hint: str, size: int):
    """The payload (a list of ``size`` items) of a timed link, e.g. ``[row id, binding]``.

    :param what: the link's name in the sentences ("confirmation link").
    :param expired_hint: what to do once it expired ("Please sign up again…").
    :raise LinkProblem: forged or damaged (400), or older than ``max_age`` (410).
    """
    try:
        payload = timed_serializer(salt).loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise LinkProblem(f"This {what} has expired. {expired_hint}", 410) from None
    except BadSignature:
        payload = None
    if not isinstance(payload, list) or len(payload) != size:
        raise LinkProblem(f"This {what} is not valid. Please check that the whole link was copied.", 400)
    return payload


def link_problem_page(problem: LinkProblem, title: str):
    """The page for a link that can't be used: what happened and what to do, with its status."""
    return render_template("link_problem.html", title=title, problem=problem.message), problem.status


def form_token(salt: str, now: float | None = None, tag: str | None = None) -> str:
    """A signed "form shown at" time for a form's hidden field; bound to ``tag`` (e.g. the
    browser session) when given, so a time fetched by one client says nothing about another."""
    issued = int(now if now is not None else time.time())
    return serializer(salt).dumps(issued if tag is None else [issued, tag])


def form_age(salt: str, token: str, now: float | None = None, tag: str | None = None) -> float | None:
    """Seconds since the form was shown; None when missing, forged or bound to another ``tag``."""
    try:
        payload = serializer(salt).loads(token or "")
    except BadSignature:
        return None
    if tag is None:
        issued = payload
    elif isinstance(payload, list) and len(payload) == 2 and isinstance(payload[1], str):
        issued = payload[0] if hmac.compare_digest(payload[1], tag) else None
    else:
        issued = None
    if not isinstance(issued, int):
        return None
    return (now if now is not None else time.time()) - issued
