"""The free guide in Chromium: the block passes axe beside the video; sign up, confirm from the mail, download."""

from __future__ import annotations

import pytest

from eventsite.events.models import Consent
from tests.conftest import assert_no_axe_violations

from .conftest import link_in, panel_path, pdf_bytes


@pytest.mark.parametrize("width", [1280, 390])
def test_sign_up_and_confirm_in_a_browser(app, page, ready_panel, make_panelist, make_offer, inbox, width):
    app.config["OFFER_MIN_SUBMIT_SECONDS"] = 0  # Playwright types faster than people do
    make_panelist("Gemma Went", panel=ready_panel, consent=Consent.VIDEO)
    guide = pdf_bytes()
    make_offer(
        "Be worth listening to",
        panel=ready_panel,
        pitch="Five habits the panel kept coming back to, one page each.",
        consent_text="Send me the guide and the occasional e-mail from Likeminds.",
        pdf=guide,
    )
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(panel_path(ready_panel))
    block = page.locator(".offer-block")
    assert block.is_visible()
    assert_no_axe_violations(page)
    block.screenshot(path=f"/tmp/offer-block-{width}.png")
    page.screenshot(path=f"/tmp/offer-panel-{width}.png", full_page=False)

    # The button refuses an empty form without a round trip being needed to say why.
    page.get_by_label("Your e-mail address").fill("reader@example.com")
    page.get_by_label("Send me the guide and the occasional e-mail from Likeminds.").check()
    page.get_by_role("button", name="It's free!").click()
    # The answer comes inside the box (static/js/offer.js); the video stays where it was.
    block.get_by_role("status").filter(has_text="Check your inbox").wait_for()
    assert page.url.endswith(panel_path(ready_panel))
    assert_no_axe_violations(page)

    [mail] = inbox.to("reader@example.com")
    page.goto(link_in(mail, "/offers/confirm/"))
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Yes, send me the guide").click()
    link = page.get_by_role("link", name="Download “Be worth listening to”")
    link.wait_for()
    assert_no_axe_violations(page)
    page.screenshot(path=f"/tmp/offer-confirmed-{width}.png")
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    assert download.value.suggested_filename == "be-worth-listening-to.pdf"
    with open(path, "rb") as fh:
        assert fh.read() == guide


def test_form_mistakes_are_shown_beside_the_fields(app, page, ready_panel, make_offer, inbox):
    make_offer(panel=ready_panel)
    page.goto(panel_path(ready_panel))
    # Without the browser's own checks (as a script-less or old browser would send it).
    page.evaluate("document.querySelector('.offer-form').noValidate = true")
    page.get_by_label("Your e-mail address").fill("nobody")
    page.get_by_role("button", name="It's free!").click()
    page.locator(".offer-form .errors").first.wait_for()  # answered in the box, the page stays
    assert "That doesn't look like an e-mail address." in page.text_content(".offer-form")
    assert "Please tick the box to agree" in page.text_content(".offer-form")
    assert page.get_by_label("Your e-mail address").input_value() == "nobody"
    assert_no_axe_violations(page)
    assert inbox.messages == []
