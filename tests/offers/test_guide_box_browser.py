"""The free-guide box beside the video answers in place, in Chromium at desktop and phone sizes:
a missing tick, a success and a rate-limited try each get their answer inside the box while the
video keeps playing; without script the refused try gets the same helpful words on the offer's page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_no_axe_violations
from tests.ready_panel import panel_path, wait_for, wait_for_player

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_guide_box_answers_without_leaving_the_video(app, page, ready_panel, make_offer, inbox, size):
    app.config.update(OFFER_MIN_SUBMIT_SECONDS=0, OFFER_SIGNUP_IP_RATE_LIMIT="2 per hour")
    make_offer(panel=ready_panel)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(panel_path(ready_panel))
    wait_for_player(page)
    page.get_by_role("button", name="Play", exact=True).first.click()
    wait_for(page, "eventsitePlayer.video.currentTime > 0.3")
    box = page.locator("[data-offer-block]")

    box.get_by_label("Your e-mail address").fill("reader@example.com")
    box.get_by_role("button", name="It's free!").click()  # the consent box is not ticked
    expect(box.get_by_role("alert")).to_have_text("Please check the form.")
    expect(box.locator(".errors")).to_be_visible()
    assert page.url.endswith(panel_path(ready_panel))

    box.get_by_label("Send me the guide and news from Likeminds.").check()
    box.get_by_role("button", name="It's free!").click()
    expect(box.get_by_role("status")).to_contain_text("Check your inbox")
    assert page.url.endswith(panel_path(ready_panel))
    assert not page.evaluate("eventsitePlayer.video.paused")  # still playing
    assert_no_axe_violations(page)


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_a_rate_limited_try_says_what_to_do_in_the_box(app, page, ready_panel, make_offer, inbox, size):
    app.config.update(OFFER_MIN_SUBMIT_SECONDS=0, OFFER_SIGNUP_IP_RATE_LIMIT="1 per hour")
    make_offer(panel=ready_panel)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    for n in range(2):
        page.goto(panel_path(ready_panel))
        wait_for_player(page)
        page.get_by_role("button", name="Play", exact=True).first.click()
        wait_for(page, "eventsitePlayer.video.currentTime > 0.3")
        box = page.locator("[data-offer-block]")
        box.get_by_label("Your e-mail address").fill(f"person{n}@example.com")
        box.get_by_label("Send me the guide and news from Likeminds.").check()
        box.get_by_role("button", name="It's free!").click()
        expect(box.locator("[data-offer-answer]")).to_be_visible()
    expect(box.get_by_role("alert")).to_contain_text("On shared Wi-Fi (at a conference, say) everyone counts as one")
    assert page.url.endswith(panel_path(ready_panel))  # no bare 429 page
    assert not page.evaluate("eventsitePlayer.video.paused")  # the refused try did not stop the talk
    assert_no_axe_violations(page)


def test_without_script_the_refused_try_keeps_the_form_and_the_advice(app, client, ready_panel, make_offer, sign_up):
    app.config.update(OFFER_SIGNUP_IP_RATE_LIMIT="1 per hour")
    offer = make_offer(panel=ready_panel)
    assert sign_up(client, ready_panel, offer, "a@example.com").status_code == 303
    refused = sign_up(client, ready_panel, offer, "b@example.com")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text and "mobile data" in refused.text
    assert 'class="offer-form"' in refused.text  # the form again, not a dead end
