"""Offers in the studio, and the double opt-in of the people who ask for a guide.

Sign-up, confirmation and download are three steps with three proofs: the
form (a person, not a bot: honeypot and time-to-submit, plus the rate limits
on the view), the confirmation link (the address is theirs), and the download
link (signed, expiring, for a confirmed address only). Nothing any step
answers depends on whether the address was known before.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app

from ..database import utcnow, write_transaction
from ..events.models import Panel
from ..extensions import db
from ..signed import LinkProblem
from ..storage import StorageError, media_store
from . import mails, tokens
from .models import DEFAULT_BUTTON_TEXT, Offer, Subscriber
from .pdf import read_pdf


@dataclass
class OfferFields:
    """What the studio form sends for an offer."""

    title: str
    pitch: str
    button_text: str
    consent_text: str
    event_id: int | None = None
    panel_id: int | None = None
    active: bool = True


def offer_for_panel(panel: Panel) -> Offer | None:
    """The live offer shown on ``panel``'s page: the panel's own, else its event's, else the site's.

    Among offers of the same scope the newest wins. One query.
    """
    specificity = sa.case((Offer.panel_id.is_not(None), 0), (Offer.event_id.is_not(None), 1), else_=2)
    query = (
        sa.select(Offer)
        .where(
            Offer.active,
            Offer.file_key.is_not(None),
            sa.or_(
                Offer.panel_id == panel.id,
                sa.and_(Offer.panel_id.is_(None), Offer.event_id == panel.event_id),
                sa.and_(Offer.panel_id.is_(None), Offer.event_id.is_(None)),
            ),
        )
        .order_by(specificity, Offer.created_at.desc(), Offer.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def offer_is_public(offer: Offer | None) -> bool:
    """True when visitors may sign up for ``offer``: live, with a guide, on a public page."""
    return (
        offer is not None and offer.active and bool(offer.file_key) and (offer.panel is None or offer.panel.is_public())
    )


def download_name(title: str) -> str:
    """A safe file name for the guide, made from its title ("How to be heard.pdf" → "how-to-be-heard.pdf")."""
    stem = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "guide"
    return f"{stem}.pdf"


def save_offer(fields: OfferFields, offer: Offer | None = None, upload: BinaryIO | None = None) -> Offer:
    """Create or update an offer; a new PDF replaces the old one.

    The PDF is checked before anything is written, so a bad file changes
    nothing (not even the other fields).

    :raise PdfError: the upload is not a PDF we accept (see :mod:`.pdf`).
    :raise ValueError: a new offer without a PDF.
    """
    data = read_pdf(upload, max_bytes=int(current_app.config["OFFER_MAX_BYTES"])) if upload else None
    if offer is None and data is None:
        raise ValueError("Please choose the guide (a PDF) that people get.")
    offer = offer or Offer()
    offer.title = fields.title.strip()
    offer.pitch = fields.pitch.strip()
    offer.button_text = fields.button_text.strip() or DEFAULT_BUTTON_TEXT
    offer.consent_text = fields.consent_text.strip()
    offer.panel_id = fields.panel_id
    offer.event_id = None if fields.panel_id else fields.event_id
    offer.active = fields.active
    db.session.add(offer)
    db.session.flush()
    old_key = offer.file_key
    if data is not None:
        # A fresh random name each time: a download link issued for the old file
        # gets the new one, and nobody can guess a key (not that keys are served).
        key = f"offers/{offer.id}/guide-{secrets.token_hex(8)}.pdf"
        media_store().save_bytes(key, data)
        offer.file_key = key
        offer.file_size = len(data)
        offer.file_sha256 = hashlib.sha256(data).hexdigest()
    offer.file_name = download_name(offer.title)
    db.session.commit()
    if data is not None and old_key:
        media_store().delete(old_key)
    return offer


def delete_offer(offer: Offer) -> None:
    """Delete an offer, its subscribers and its stored guide."""
    folder = f"offers/{offer.id}"
    db.session.delete(offer)
    db.session.commit()
    media_store().delete(folder)


# The visitor's side ---------------------------------------------------------


@dataclass
class SignUp:
    """What a visitor sent, already checked by the form."""

    email: str
    #: Seconds since the form was shown (None: token missing or forged).
    form_age: float | None
    #: The field only bots fill in.
    honeypot: str = ""


def looks_like_bot(sign_up: SignUp) -> bool:
    """Honeypot filled, or the form came back faster than a person types an address."""
    if sign_up.honeypot.strip():
        return True
    minimum = float(current_app.config["OFFER_MIN_SUBMIT_SECONDS"])
    return sign_up.form_age is None or sign_up.form_age < minimum


def confirm_max_age() -> float:
    return float(current_app.config["OFFER_CONFIRM_HOURS"]) * 3600


def download_max_age() -> float:
    return float(current_app.config["OFFER_DOWNLOAD_HOURS"]) * 3600


def sign_up(offer: Offer, request: SignUp, *, now: datetime | None = None) -> Subscriber | None:
    """Record a sign-up and mail the confirmation link.

    The same steps for a new, a waiting, a confirmed or an unsubscribed
    address: one row written, one confirmation mail sent, so neither the
    answer nor the mail tells anyone whether the address was known. Bots get
    None and nothing is stored or sent. Returns the subscriber row.
    """
    if looks_like_bot(request):
        return None
    now = now or utcnow()
    email = tokens.normalise_email(request.email)
    with write_transaction() as session:
        _forget_unconfirmed(now)
        subscriber = session.scalar(
            sa.select(Subscriber).where(Subscriber.offer_id == offer.id, Subscriber.email == email)
        )
        if subscriber is None:
            subscriber = Subscriber(offer_id=offer.id, email=email, created_at=now)
            session.add(subscriber)
        if not subscriber.subscribed:
            # The words they ticked this time; a confirmed subscriber keeps the ones they confirmed.
            subscriber.consent_text = offer.consent_text
        subscriber.mailed_at = now
    mails.send_confirmation(subscriber, hours=round(confirm_max_age() / 3600))
    return subscriber


def _forget_unconfirmed(now: datetime) -> None:
    """Delete sign-ups whose confirmation link has expired: an address nobody confirmed is not kept."""
    cutoff = now - timedelta(seconds=confirm_max_age())
    db.session.execute(sa.delete(Subscriber).where(Subscriber.confirmed_at.is_(None), Subscriber.mailed_at < cutoff))


def _subscriber_of(kind: str, token: str, max_age: float) -> Subscriber:
    subscriber_id, binding = tokens.read_link_token(kind, token, max_age)
    subscriber = db.session.get(Subscriber, subscriber_id)
    if not tokens.binds(subscriber, binding):
        raise LinkProblem("This link is no longer valid. Please sign up again.", 410)
    return subscriber


def check_confirm_link(token: str) -> Subscriber:
    """The sign-up a confirmation link is for.

    :raise LinkProblem: forged, expired, or for a sign-up that is gone.
    """
    return _subscriber_of("offer-confirm", token, confirm_max_age())


def confirm(token: str, *, now: datetime | None = None) -> Subscriber:
    """Confirm the address of a sign-up and mail the download link.

    Confirming again (a second click, or a new sign-up) keeps the first
    confirmation time and mails the link again. After an unsubscribe it is
    a new subscription, with a new confirmation time.

    :raise LinkProblem: see :func:`check_confirm_link`.
    """
    subscriber = check_confirm_link(token)
    if not subscriber.subscribed:
        subscriber.confirmed_at = now or utcnow()
        subscriber.unsubscribed_at = None
    db.session.commit()
    mails.send_guide(subscriber, download_url(subscriber), hours=round(download_max_age() / 3600))
    return subscriber


def download_url(subscriber: Subscriber) -> str:
    """The signed, expiring link to the guide, for a confirmed subscriber."""
    return mails.absolute_for("offers.download", token=tokens.link_token("offer-download", subscriber))


def check_download(token: str) -> Offer:
    """The offer whose guide a download link may fetch.

    :raise LinkProblem: forged or expired link, an unconfirmed or unsubscribed
        address, or an offer without a guide any more.
    """
    subscriber = _subscriber_of("offer-download", token, download_max_age())
    if not subscriber.subscribed:
        raise LinkProblem("This download link is no longer valid. Please sign up again.", 410)
    offer = subscriber.offer
    if not offer.file_key:
        raise LinkProblem("This guide is no longer available.", 410)
    try:
        media_store().size(offer.file_key)
    except StorageError:
        raise LinkProblem("This guide is no longer available.", 410) from None
    return offer


def unsubscribe(token: str, *, now: datetime | None = None) -> Subscriber | None:
    """Stop all mail to the subscriber named in ``token`` (RFC 8058 one-click); None when forged."""
    found = tokens.read_unsubscribe_token(token)
    subscriber = db.session.get(Subscriber, found[0]) if found else None
    if found is None or not tokens.binds(subscriber, found[1]):
        return None
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = now or utcnow()
        db.session.commit()
    return subscriber
