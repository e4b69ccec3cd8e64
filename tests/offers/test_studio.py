"""Offers in the studio: organisers only; create with a checked PDF, edit, delete; subscribers and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eventsite.extensions import db
from eventsite.offers.export import safe_cell
from eventsite.offers.models import Offer, Subscriber
from tests.conftest import csrf_token

from .conftest import jpeg_bytes, panel_path, pdf_bytes

STUDIO_PAGES = [
    ("get", "/studio/offers/"),
    ("get", "/studio/offers/new"),
    ("post", "/studio/offers/new"),
    ("get", "/studio/offers/{id}/edit"),
    ("post", "/studio/offers/{id}/delete"),
    ("get", "/studio/offers/{id}/subscribers"),
    ("get", "/studio/offers/{id}/subscribers.csv"),
]


@pytest.mark.parametrize(("method", "url"), STUDIO_PAGES)
def test_studio_offers_are_closed_to_the_public(client, panel, make_offer, method, url):
    offer = make_offer(panel=panel)
    # A valid CSRF token of the visitor's own session: only the missing sign-in refuses them.
    data = {"csrf_token": csrf_token(client.get("/login").get_data(as_text=True))} if method == "post" else None
    response = getattr(client, method)(url.format(id=offer.id), data=data)
    assert response.status_code == 302 and "/login" in response.location
    assert db.session.get(Offer, offer.id) is not None


def _form(client, url):
    return csrf_token(client.get(url).get_data(as_text=True))


def _offer_data(token, **changes):
    data = {
        "csrf_token": token,
        "title": "Be worth listening to",
        "pitch": "Five habits, one page each.",
        "button_text": "",
        "consent_text": "Send me the guide and news from Likeminds.",
        "scope": "",
        "active": "y",
    }
    data.update(changes)
    return data


def stored_guides(app) -> list[Path]:
    return sorted((Path(app.config["MEDIA_ROOT"]) / "offers").rglob("*.pdf"))


def test_create_an_offer_with_a_pdf(app, login, panel):
    client = login()
    token = _form(client, "/studio/offers/new")
    guide = pdf_bytes()  # Pillow stamps the second it was written: one copy
    data = _offer_data(token, scope=f"panel-{panel.id}", guide=(io.BytesIO(guide), "My Guide.pdf"))
    response = client.post("/studio/offers/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    offer = db.session.scalar(db.select(Offer))
    assert offer.panel_id == panel.id and offer.button_text == "It's free!"
    assert offer.file_name == "be-worth-listening-to.pdf" and offer.file_size == len(guide)
    assert [p.read_bytes() for p in stored_guides(app)] == [guide]
    listing = client.get("/studio/offers/").get_data(as_text=True)
    assert "Be worth listening to" in listing and f"Panel: {panel.title}" in listing
    assert "Be worth listening to" in client.get(panel_path(panel)).get_data(as_text=True)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((io.BytesIO(jpeg_bytes()), "guide.pdf"), "This file is not a PDF."),
        ((io.BytesIO(pdf_bytes()[:-40]), "guide.pdf"), "This PDF is incomplete"),
        (None, "Please choose the guide"),
    ],
    ids=["renamed-jpeg", "truncated", "missing"],
)
def test_a_bad_guide_saves_nothing_and_says_why(app, app_ctx, login, upload, message):
    client = login()
    data = _offer_data(_form(client, "/studio/offers/new"))
    if upload:
        data["guide"] = upload
    response = client.post("/studio/offers/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "Nothing was saved" in html
    assert 'value="Be worth listening to"' in html  # the form keeps what was typed
    assert db.session.scalar(db.select(db.func.count(Offer.id))) == 0 and stored_guides(app) == []


def test_edit_keeps_or_replaces_the_guide(app, login, make_offer):
    client = login()
    offer = make_offer()
    url = f"/studio/offers/{offer.id}/edit"
    response = client.post(url, data=_offer_data(_form(client, url), title="New title"))
    assert response.status_code == 302
    db.session.refresh(offer)
    assert offer.title == "New title" and offer.file_name == "new-title.pdf" and len(stored_guides(app)) == 1
    replacement = pdf_bytes(pages=2)
    data = _offer_data(_form(client, url), title="New title", guide=(io.BytesIO(replacement), "v2.pdf"))
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 302
    # The old file is gone, the new one is there.
    assert [p.read_bytes() for p in stored_guides(app)] == [replacement]
    # A bad replacement changes nothing at all.
    data = _offer_data(_form(client, url), title="Broken", guide=(io.BytesIO(jpeg_bytes()), "x.pdf"))
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 400
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).title == "New title"
    assert [p.read_bytes() for p in stored_guides(app)] == [replacement]


def test_delete_removes_offer_subscribers_and_file(app, login, make_offer):
    client = login()
    offer = make_offer()
    db.session.add(Subscriber(offer_id=offer.id, email="a@example.com", confirmed_at=datetime.now(UTC)))
    db.session.commit()
    response = client.post(f"/studio/offers/{offer.id}/delete", data={"csrf_token": _form(client, "/studio/offers/")})
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Offer.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Subscriber.id))) == 0
    assert stored_guides(app) == []


def test_subscribers_and_a_formula_safe_csv(login, make_offer):
    client = login()
    offer = make_offer(title='=HYPERLINK("http://evil")')
    confirmed = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    db.session.add_all(
        [
            Subscriber(offer_id=offer.id, email="anne@example.com", consent_text="Yes", confirmed_at=confirmed),
            Subscriber(offer_id=offer.id, email="@evil.example", consent_text="+1", confirmed_at=confirmed),
            Subscriber(offer_id=offer.id, email="waiting@example.com"),
        ]
    )
    db.session.commit()
    page = client.get(f"/studio/offers/{offer.id}/subscribers").get_data(as_text=True)
    assert "anne@example.com" in page and "2 Jan 2026 03:04" in page
    assert "waiting@example.com" not in page and "1 waiting for confirmation" in page
    response = client.get(f"/studio/offers/{offer.id}/subscribers.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["email", "offer", "signed up (UTC)", "confirmed (UTC)"]
    by_email = {row[0]: row for row in rows[1:]}
    assert set(by_email) == {"anne@example.com", "'@evil.example"}
    assert by_email["anne@example.com"][1] == '\'=HYPERLINK("http://evil")'
    assert by_email["anne@example.com"][3] == "2026-01-02 03:04:05"
    assert by_email["'@evil.example"][-1] == "'+1"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_cells_are_neutralised(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("plain@example.com") == "plain@example.com"


def test_dashboard_links_to_the_free_guides(login):
    assert b"/studio/offers/" in login().get("/studio/").data


def test_a_deleted_panels_offer_goes_with_it(make_panel, make_offer):
    """Never left behind with no panel, which would read as "every panel"."""
    from eventsite.studio.operations import delete_row

    panel = make_panel()
    make_offer(panel=panel)
    delete_row(panel)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Offer.id))) == 0
