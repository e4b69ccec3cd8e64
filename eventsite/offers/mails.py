"""The two mails of a sign-up: "confirm your address" and "here is your guide".

Both carry the one-click unsubscribe of RFC 8058: a ``List-Unsubscribe``
header with an HTTPS link, ``List-Unsubscribe-Post``, and the same link in
the text for people whose mail program shows no button.
"""

from __future__ import annotations

from contextlib import nullcontext

from flask import current_app, has_request_context, render_template, url_for

from ..mail import queue_mail
from ..urls import absolute
from . import tokens
from .models import Subscriber


def _request_context():
    """The current request, or a stand-in (the demo and tests call operations without one)."""
    return nullcontext() if has_request_context() else current_app.test_request_context()


def absolute_for(endpoint: str, **values) -> str:
    """An absolute public URL, inside or outside a request."""
    with _request_context():
        return absolute(url_for(endpoint, **values))


def _send(subscriber: Subscriber, subject: str, template: str, **context) -> bool:
    unsubscribe = absolute_for("offers.unsubscribe", token=tokens.unsubscribe_token(subscriber))
    with _request_context():
        body = render_template(template, offer=subscriber.offer, unsubscribe=unsubscribe, **context)
    return queue_mail(
        subscriber.email,
        subject,
        body,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def send_confirmation(subscriber: Subscriber, *, hours: int) -> bool:
    """Mail the link that proves the address is theirs (the same mail for every address)."""
    link = absolute_for("offers.confirm", token=tokens.link_token("offer-confirm", subscriber))
    return _send(
        subscriber,
        f"Please confirm: “{subscriber.offer.title}”",
        "offers/email/confirm.txt",
        link=link,
        hours=hours,
    )


def send_guide(subscriber: Subscriber, download: str, *, hours: int) -> bool:
    """Mail the download link to a confirmed address."""
    return _send(
        subscriber,
        f"Your free guide: “{subscriber.offer.title}”",
        "offers/email/guide.txt",
        download=download,
        hours=hours,
    )
