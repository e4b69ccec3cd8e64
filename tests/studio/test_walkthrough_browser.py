"""A visitor walks the site, and an organiser publishes a panel, in real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from eventsite.demo import demo_panel, seed_demo, seed_demo_thread
from eventsite.events.models import PanelStatus
from tests.conftest import PASSWORD, assert_no_axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app_ctx):
    seed_demo()
    seed_demo_thread(demo_panel())


def test_visitor_walks_home_event_panel_panelist(page, demo):
    page.goto("/")
    page.get_by_role("link", name="Social Media Week").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Social Media Week")
    page.get_by_role("link", name="What is social influence?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What is social influence?")
    expect(page.get_by_text("Video by Brass")).to_be_visible()
    page.get_by_role("link", name="Azeem Azhar").click()
    expect(page).to_have_url(re.compile(r"/people/azeem-azhar/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Azeem Azhar")
    portrait = page.locator("img.portrait").first
    expect(portrait).to_be_visible()
    # Demo panelists have no photo: their portrait is their bird, drawn on first request.
    assert "kind=bird" in portrait.get_attribute("src") or "/bird" in portrait.get_attribute("src")
    for _ in range(100):
        if page.evaluate("img => img.complete && img.naturalWidth", portrait.element_handle()):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("img => img.naturalWidth", portrait.element_handle()) > 0


def test_public_pages_pass_axe(page, demo):
    for url in ["/", "/events/social-media-week/", "/events/social-media-week/what-is-social-influence/",
                "/people/gemma-went/", "/login", "/no-such-page"]:  # fmt: skip
        page.goto(url)
        assert_no_axe_violations(page)


def test_organiser_signs_in_and_publishes_a_draft(page, live_server, make_organiser, make_panel):
    make_organiser()
    panel = make_panel("Measuring influence", status=PanelStatus.DRAFT)
    public_url = f"/events/{panel.event.slug}/{panel.slug}/"
    assert page.goto(public_url).status == 404

    page.goto("/studio/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email").fill("organiser@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Studio")
    page.get_by_role("link", name="Measuring influence").click()
    page.get_by_label("Visibility").select_option("published")
    page.get_by_role("button", name="Update visibility").click()
    expect(page.get_by_text("Visibility set to published.")).to_be_visible()

    visitor = page.context.browser.new_context(base_url=live_server).new_page()
    assert visitor.goto(public_url).status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Measuring influence")
    visitor.goto("/")
    expect(visitor.get_by_role("link", name="Measuring influence")).to_be_visible()
    visitor.context.close()
