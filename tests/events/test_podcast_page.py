"""The podcast's subscribe page: linked from the panel and the event, it gives the feed's
address to copy, links that open podcast apps, and the episodes (Chromium, desktop and phone, axe)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_no_axe_violations
from tests.ready_panel import panel_path


def test_the_panel_and_the_event_link_the_subscribe_page_not_raw_xml(client, ready_panel):
    event = ready_panel.event
    subscribe = f"/events/{event.slug}/podcast/"
    assert f'href="{subscribe}">Listen as a podcast</a>' in client.get(panel_path(ready_panel)).text
    event_page = client.get(f"/events/{event.slug}/").text
    assert f'href="{subscribe}">Podcast' in event_page
    page = client.get(subscribe)
    assert page.status_code == 200
    feed = f"http://localhost/events/{event.slug}/podcast.xml"
    assert f'value="{feed}"' in page.text
    assert f'href="podcast://localhost/events/{event.slug}/podcast.xml"' in page.text
    assert (
        f'href="overcast://x-callback-url/add?url=http%3A%2F%2Flocalhost%2Fevents%2F{event.slug}%2Fpodcast.xml"'
        in page.text
    )
    assert f'<a href="http://localhost{panel_path(ready_panel)}">{ready_panel.title}</a>' in page.text


def test_an_event_nobody_may_see_has_no_podcast_page(client):
    assert client.get("/events/no-such-event/podcast/").status_code == 404


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_subscribing_from_the_panel_page(page, ready_panel, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(panel_path(ready_panel))
    page.get_by_role("link", name="Listen as a podcast").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Listen as a podcast")
    expect(page.get_by_role("link", name="Open in Apple Podcasts")).to_be_visible()
    expect(page.get_by_role("list").get_by_role("link", name=ready_panel.title)).to_be_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the address").click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()").endswith("/podcast.xml")
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert_no_axe_violations(page)
