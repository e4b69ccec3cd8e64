"""Fixtures for the free-guide tests: offers with a real PDF, a real SMTP inbox, the sign-up form."""

from __future__ import annotations

import io
import re
import time

import pytest
from PIL import Image

from eventsite.extensions import db
from eventsite.offers import tokens
from eventsite.offers.operations import OfferFields, save_offer
from tests.conftest import csrf_token
from tests.mailbox import Inbox, body_of, free_port  # noqa: F401  (the tests import them from here)


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF written by Pillow."""
    out = io.BytesIO()
    images = [Image.new("RGB", (200, 100), colour) for colour in ("white", "#eeeeee", "#dddddd")[:pages]]
    images[0].save(out, "PDF", save_all=True, append_images=images[1:])
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "#336699").save(out, "JPEG")
    return out.getvalue()


def link_in(message, path: str) -> str:
    """The first link to ``path`` in a mail, relative to the site."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\S+)", body_of(message))
    assert match, body_of(message)
    return match.group(1)


@pytest.fixture
def make_offer(app_ctx):
    def factory(title="The influence handbook", *, panel=None, event=None, pdf=None, **kwargs):
        fields = OfferFields(
            title=title,
            pitch=kwargs.pop("pitch", "Five habits of people worth listening to."),
            button_text=kwargs.pop("button_text", "It's free!"),
            consent_text=kwargs.pop("consent_text", "Send me the guide and news from Likeminds."),
            event_id=event.id if event else None,
            panel_id=panel.id if panel else None,
            **kwargs,
        )
        return save_offer(fields, upload=io.BytesIO(pdf or pdf_bytes()))

    return factory


@pytest.fixture
def panel(make_panel):
    return make_panel()


def panel_path(panel) -> str:
    return f"/events/{panel.event.slug}/{panel.slug}/"


def human_started(app, seconds_ago: float = 10) -> str:
    with app.test_request_context():
        return tokens.form_token(time.time() - seconds_ago)


@pytest.fixture
def sign_up(app):
    """Post the panel page's sign-up form as a browser without JavaScript would; returns the response."""

    def do_sign_up(client, panel, offer, email="reader@example.com", *, token=None, environ=None, **fields):
        if token is None:
            page = client.get(panel_path(panel))
            assert page.status_code == 200
            token = re.search(r'name="offer-csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
            token = token.group(1) if token else csrf_token(page.get_data(as_text=True))
        data = {
            "offer-csrf_token": token,
            "offer-started": human_started(app),
            "offer-email": email,
            "offer-consent": "y",
            "offer-company": "",
        }
        data.update({f"offer-{k}": v for k, v in fields.items()})
        data = {k: v for k, v in data.items() if v is not None}
        return client.post(f"/offers/{offer.id}/signup", data=data, environ_base=environ or {})

    return do_sign_up


def subscriber_count() -> int:
    from eventsite.offers.models import Subscriber

    return db.session.query(Subscriber).count()
