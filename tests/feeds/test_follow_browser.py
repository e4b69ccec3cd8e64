"""The "Follow" links on an event page and the API's page, in Chromium, with axe."""

from __future__ import annotations

import pytest

from eventsite.events.models import SeatRole
from tests.conftest import assert_no_axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def event_slug(make_panel, make_panelist, add_ready_recording):
    panel = make_panel(abstract="How influence spreads.")
    make_panelist("Gemma Went", panel=panel, role=SeatRole.HOST)
    add_ready_recording(panel)
    return panel.event.slug


def test_event_page_offers_the_feeds_to_people_and_to_readers(page, event_slug):
    page.goto(f"/events/{event_slug}/")
    follow = page.locator("p.follow")
    assert follow.inner_text().replace("\n", " ").startswith("Follow: Atom")
    page.get_by_role("link", name="Atom feed of Social Media Week").wait_for()
    page.get_by_role("link", name="Podcast of Social Media Week").wait_for()
    feeds = page.eval_on_selector_all(
        'head link[rel="alternate"]', "links => links.map(l => [l.type, l.getAttribute('href')])"
    )
    assert [t for t, _ in feeds] == ["application/atom+xml", "application/atom+xml", "application/rss+xml"]
    page.screenshot(path="/tmp/feeds-event-page.png", full_page=True)
    assert_no_axe_violations(page)
    # The podcast link leads to a feed that loads.
    response = page.request.get(feeds[2][1])
    assert response.status == 200 and b"<rss" in response.body()


def test_api_page_lists_the_endpoints_accessibly(page, event_slug):
    page.goto("/api/v1/")
    assert page.get_by_role("heading", name="JSON API").is_visible()
    assert page.locator("dl.api-endpoints dt").count() == 7
    assert page.locator("dl.api-endpoints dd").nth(1).inner_text().startswith("An event and its listed panels")
    page.screenshot(path="/tmp/api-docs-page.png", full_page=True)
    assert_no_axe_violations(page)
