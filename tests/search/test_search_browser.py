"""Search in real Chromium: from the header box to the moment in the video; axe on the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsite import search
from tests.conftest import assert_no_axe_violations
from tests.ready_panel import wait_for, wait_for_player

pytestmark = pytest.mark.browser


def test_a_said_hit_opens_the_panel_at_that_moment(page, said_panel):
    page.goto("/people/gemma-went/")
    header = page.get_by_role("search", name="Site")
    header.get_by_label("Search").fill("brands")
    header.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=brands")
    hit = page.locator(".search-said .search-hit").first
    expect(hit.locator("mark")).to_have_text("Brands")
    expect(hit.locator(".meta")).to_contain_text("Andrew Gerrard, at 0:04 in What is social influence?")
    hit.locator("blockquote a").click()
    page.wait_for_url("**/what-is-social-influence/?t=4s")
    wait_for_player(page)
    # A paused page loads no media (bandwidth); played, it starts at the moment the hit quoted.
    page.get_by_role("button", name="Play", exact=True).first.click()
    wait_for(page, "eventsitePlayer.video.currentTime >= 3.9")
    assert page.evaluate("eventsitePlayer.video.currentTime") < 5
    # The transcript's cue at that moment is the sentence the search showed.
    expect(page.locator('[data-transcript] li[data-start="4.0"]')).to_contain_text("Brands forget that")
    files = page.locator(".transcript-files")
    expect(files.get_by_role("link", name="WebVTT")).to_have_attribute(
        "href", "/events/social-media-week/what-is-social-influence/transcript.vtt"
    )
    page.locator(".transcript").screenshot(path="/tmp/search-transcript-files.png")


def test_the_search_page_passes_axe(page, said_panel):
    search.reindex_all()
    page.set_viewport_size({"width": 1100, "height": 1400})
    page.goto("/search?q=influence+gemma")
    expect(page.get_by_role("heading", name="Panels (1)")).to_be_visible()
    assert_no_axe_violations(page)
    page.screenshot(path="/tmp/search-results.png", full_page=True)
    page.goto("/search?q=trust")
    page.screenshot(path="/tmp/search-said.png", full_page=True)
    assert_no_axe_violations(page)
    page.goto("/search?q=trust+zeppelin")
    expect(page.get_by_role("status")).to_contain_text("Nothing matches trust zeppelin")
    assert_no_axe_violations(page)
    page.screenshot(path="/tmp/search-empty.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/search?q=trust")
    assert_no_axe_violations(page)
    page.screenshot(path="/tmp/search-narrow.png", full_page=True)
