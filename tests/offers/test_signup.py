"""Double opt-in: the form, the confirmation mail through real SMTP, the link, the download."""

from __future__ import annotations

import pytest

from eventsite.extensions import db
from eventsite.offers.models import Subscriber

from .conftest import body_of, link_in, panel_path, pdf_bytes, subscriber_count


def test_panel_page_shows_the_offer_beside_the_video(client, panel, make_offer):
    make_offer(panel=panel, title="The influence handbook", consent_text="Yes, mail me the handbook.")
    html = client.get(panel_path(panel)).get_data(as_text=True)
    assert 'class="offer-block"' in html
    assert "The influence handbook" in html and "Five habits of people worth listening to." in html
    assert "It&#39;s free!" in html
    assert '<label for="offer-consent">Yes, mail me the handbook.</label>' in html
    # The comment form on the same page keeps its own ids.
    assert 'id="offer-email"' in html


def test_the_most_specific_offer_wins(client, make_panel, make_event, make_offer):
    event = make_event()
    panel = make_panel(event=event)
    other = make_panel(title="Another panel", event=event)
    elsewhere = make_panel(title="Elsewhere", event=make_event("Other week"))
    make_offer("Site guide")
    make_offer("Event guide", event=event)
    make_offer("Panel guide", panel=panel)
    assert "Panel guide" in client.get(panel_path(panel)).get_data(as_text=True)
    assert "Event guide" in client.get(panel_path(other)).get_data(as_text=True)
    html = client.get(panel_path(elsewhere)).get_data(as_text=True)
    assert "Site guide" in html and "Event guide" not in html


def test_no_block_without_an_offer_or_when_switched_off(client, panel, make_offer):
    assert "offer-block" not in client.get(panel_path(panel)).get_data(as_text=True)
    make_offer(panel=panel, active=False)
    assert "offer-block" not in client.get(panel_path(panel)).get_data(as_text=True)


def test_sign_up_confirm_by_mail_and_download(app, client, panel, make_offer, inbox, sign_up):
    guide = pdf_bytes(pages=2)
    offer = make_offer(panel=panel, title="The influence handbook", pdf=guide)
    response = sign_up(client, panel, offer, "Reader@Example.com ")
    assert response.status_code == 303 and response.location.endswith(f"/offers/{offer.id}/sent")
    sent = client.get(response.location).get_data(as_text=True)
    assert "Check your inbox" in sent and "reader@example.com" not in sent.lower()

    [confirmation] = inbox.to("reader@example.com")
    assert confirmation["Subject"] == "Please confirm: “The influence handbook”"
    text = body_of(confirmation)
    assert "Send me the guide and news from Likeminds." in text  # what they agree to
    assert "/offers/download/" not in text  # nothing to download before confirming
    confirm_path = link_in(confirmation, "/offers/confirm/")

    # Opening the link (a mail scanner does) confirms nothing.
    page = client.get(confirm_path)
    assert page.status_code == 200 and b"Yes, send me the guide" in page.data
    assert db.session.scalar(db.select(Subscriber.confirmed_at)) is None

    # A person presses the button: the download link appears and is mailed.
    from tests.conftest import csrf_token

    done = client.post(confirm_path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    html = done.get_data(as_text=True)
    assert "your address is confirmed" in html
    subscriber = db.session.scalar(db.select(Subscriber))
    assert subscriber.confirmed_at is not None and subscriber.subscribed
    [_, guide_mail] = inbox.to("reader@example.com")
    assert guide_mail["Subject"] == "Your free guide: “The influence handbook”"
    download_path = link_in(guide_mail, "/offers/download/")
    assert download_path in html

    # Any browser with the link gets the PDF, as an attachment named after the title.
    pdf = app.test_client().get(download_path)
    assert pdf.status_code == 200 and pdf.data == guide
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="the-influence-handbook.pdf"'
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"


def test_the_stored_guide_is_never_served_by_its_key(client, panel, make_offer, login):
    offer = make_offer(panel=panel)
    assert offer.file_key.startswith("offers/")
    assert client.get(f"/media/{offer.file_key}").status_code == 404
    login()
    assert client.get(f"/media/{offer.file_key}").status_code == 404


def test_sign_up_needs_an_address_and_consent(client, panel, make_offer, inbox, sign_up):
    offer = make_offer(panel=panel)
    response = sign_up(client, panel, offer, "not an address", consent=None)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "That doesn&#39;t look like an e-mail address." in html
    assert "Please tick the box to agree" in html
    assert 'value="not an address"' in html  # what they typed stays in the form
    assert subscriber_count() == 0 and inbox.messages == []


@pytest.mark.parametrize("trap", [{"company": "ACME Ltd"}, {"started": "forged"}, {"started": None}])
def test_bots_get_the_same_answer_and_nothing_happens(client, panel, make_offer, inbox, sign_up, trap):
    offer = make_offer(panel=panel)
    response = sign_up(client, panel, offer, "bot@example.com", **trap)
    assert response.status_code == 303 and response.location.endswith(f"/offers/{offer.id}/sent")
    assert subscriber_count() == 0 and inbox.messages == []


def test_too_fast_is_a_bot(app, client, panel, make_offer, inbox, sign_up):
    from .conftest import human_started

    offer = make_offer(panel=panel)
    response = sign_up(client, panel, offer, "quick@example.com", started=human_started(app, seconds_ago=0))
    assert response.status_code == 303 and subscriber_count() == 0 and inbox.messages == []


def test_offers_of_hidden_panels_take_no_sign_ups(client, make_panel, make_offer, sign_up):
    from eventsite.events.models import PanelStatus

    draft = make_panel(title="Draft", status=PanelStatus.DRAFT)
    offer = make_offer(panel=draft)
    assert client.get(f"/offers/{offer.id}/").status_code == 404
    assert sign_up(client, draft, offer, token="x").status_code in (400, 404)
    assert subscriber_count() == 0


def test_the_offer_has_a_page_of_its_own(client, panel, make_offer):
    offer = make_offer(panel=panel)
    page = client.get(f"/offers/{offer.id}/")
    assert page.status_code == 200 and b"The influence handbook" in page.data and b'name="offer-email"' in page.data
