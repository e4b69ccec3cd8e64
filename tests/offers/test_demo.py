"""The demo panel offers a free guide about influence, with a PDF the demo writes."""

from __future__ import annotations

from eventsite.demo import demo_panel, seed_demo
from eventsite.offers.models import Offer
from eventsite.offers.operations import offer_for_panel
from eventsite.offers.pdf import check_pdf
from eventsite.storage import media_store

from .conftest import panel_path


def test_the_demo_panel_offers_its_guide(app_ctx, client):
    assert seed_demo()
    panel = demo_panel()
    offer = offer_for_panel(panel)
    assert offer is not None and offer.panel_id == panel.id
    assert "influence" in offer.title.lower() and offer.button_text == "It's free!"
    assert "unsubscribe" in offer.consent_text
    with media_store().open(offer.file_key) as fh:
        data = fh.read()
    check_pdf(data)
    # Text, not pictures of text: the guide's words are in its content streams.
    assert b"(Be worth listening to) Tj" in data and b"/BaseFont /Helvetica" in data
    html = client.get(panel_path(panel)).get_data(as_text=True)
    assert 'class="offer-block"' in html and offer.title in html
    # Seeding again adds nothing.
    assert not seed_demo()
    assert Offer.query.count() == 1
