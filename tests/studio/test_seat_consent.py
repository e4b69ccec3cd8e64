"""Each seat shows its consent and lets it be changed; the public page follows at once
(in Chromium at desktop and phone sizes, axe on the studio panel page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsite.events.models import Consent, Seat, SeatRole
from eventsite.extensions import db
from tests.browser_steps import sign_in
from tests.conftest import assert_no_axe_violations, csrf_token
from tests.ready_panel import panel_path, wait_for_player


@pytest.fixture
def seated(ready_panel, make_panelist):
    """A panel with a video and a moderator who agreed to the camera."""
    seat = Seat(panel=ready_panel, panelist=make_panelist(name="Gemma Went"), role=SeatRole.MODERATOR)
    seat.consent = Consent.VIDEO
    db.session.add(seat)
    db.session.commit()
    return ready_panel, seat


def test_changing_consent_says_what_it_means_and_the_public_page_follows(login, client, seated):
    panel, seat = seated
    studio = login()
    page = studio.get(f"/studio/panels/{panel.id}/").text
    assert 'id="seat-consent-' in page and '<option value="video" selected>' in page
    response = studio.post(
        f"/studio/seats/{seat.id}/consent",
        data={"csrf_token": csrf_token(page), "consent": "bird"},
        follow_redirects=True,
    )
    assert "Consent saved: Gemma Went appears as a bird or by their voice only." in response.text
    assert "seated as" not in response.text
    assert "The public page now offers feathered friends, audio only." in response.text
    db.session.expire_all()
    assert db.session.get(Seat, seat.id).consent is Consent.BIRD
    studio.post("/logout", data={"csrf_token": csrf_token(response.text)})
    public = client.get(panel_path(panel)).text
    assert 'value="video"' not in public  # no video view in the switch, at once


def test_a_bad_consent_is_refused_with_a_message(login, seated):
    panel, seat = seated
    studio = login()
    token = csrf_token(studio.get(f"/studio/panels/{panel.id}/").text)
    response = studio.post(f"/studio/seats/{seat.id}/consent", data={"csrf_token": token, "consent": "face"})
    assert response.status_code == 302
    assert "Choose how this panelist agreed to appear." in studio.get(response.headers["Location"]).text
    assert db.session.get(Seat, seat.id).consent is Consent.VIDEO


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_a_panelist_who_withdraws_video_consent(page, browser, live_server, make_organiser, seated, size):
    panel, seat = seated
    page.set_viewport_size({"width": size[0], "height": size[1]})
    make_organiser()
    sign_in(page)
    page.goto(f"/studio/panels/{panel.id}/")
    consent = page.get_by_label("Appears as")
    expect(consent).to_have_value("video")  # visible once recorded
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    name = page.locator("#seats .seat-name", has_text="Gemma Went").bounding_box()
    remove = page.locator("#seats").get_by_role("button", name="Remove").first.bounding_box()
    assert remove["y"] < name["y"] + name["height"] and name["y"] < remove["y"] + remove["height"]  # on its line
    assert remove["x"] + remove["width"] <= size[0]
    assert_no_axe_violations(page)
    consent.select_option("cartoon")
    page.get_by_role("button", name="Save consent of Gemma Went").click()
    expect(page.locator(".flash-success")).to_have_text(
        "Consent saved: Gemma Went appears as a cartoon, a bird or their voice: no camera picture. "
        "The public page now offers cartoon, feathered friends, audio only."
    )
    expect(page.get_by_label("Appears as")).to_have_value("cartoon")

    visitor = browser.new_context(base_url=live_server).new_page()
    visitor.goto(panel_path(panel))
    wait_for_player(visitor)
    views = visitor.locator(".player-version")
    expect(views.get_by_role("radio", name="Video")).to_have_count(0)
    expect(views.get_by_role("radio", name="Cartoon")).to_be_checked()
    visitor.context.close()
