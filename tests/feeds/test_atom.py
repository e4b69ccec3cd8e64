"""Atom feeds of published panels, read by a real feed parser (feedparser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import feedparser
import pytest

from eventsite.events import slugs
from eventsite.events.models import Consent, PanelStatus, SeatRole
from eventsite.extensions import db

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"


def parse(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


@pytest.fixture
def line_up(make_panel, make_panelist, add_ready_recording):
    """A listed ready panel with two panelists, plus a draft, an unlisted and a future panel."""
    panel = make_panel(abstract="How *influence* spreads.")
    make_panelist("Gemma Went", panel=panel, role=SeatRole.HOST)
    make_panelist("Azeem Azhar", panel=panel, position=1)
    add_ready_recording(panel)
    event = panel.event
    make_panel("Secret draft", event=event, status=PanelStatus.DRAFT)
    make_panel("Unlisted one", event=event, status=PanelStatus.UNLISTED)
    make_panel(
        "Next year", event=event, status=PanelStatus.SCHEDULED, publish_at=datetime.now(UTC) + timedelta(days=30)
    )
    return panel


def test_site_feed_lists_only_listed_panels_with_poster_duration_and_enclosure(client, line_up):
    feed = parse(client.get("/feeds/panels.atom"))
    assert feed.feed.title == "New panels · eventsite"
    assert [e.title for e in feed.entries] == ["What is social influence?"]
    entry = feed.entries[0]
    assert entry.link == f"http://localhost/events/{line_up.event.slug}/{line_up.slug}/"
    assert entry.id.startswith("urn:uuid:")
    assert entry.summary == "How influence spreads."
    assert entry.published_parsed and entry.updated_parsed
    assert [c.name for c in entry.contributors] == ["Gemma Went", "Azeem Azhar"]
    thumbnail = entry.media_thumbnail[0]["url"]
    assert thumbnail.startswith("http://localhost/media/recordings/") and thumbnail.endswith("poster.jpg")
    assert "<img " in entry.content[0].value and f'src="{thumbnail}"' in entry.content[0].value
    (enclosure,) = [link for link in entry.links if link.rel == "enclosure"]
    assert enclosure.type == "video/mp4" and int(enclosure.length) > 0
    assert entry.media_content[0]["duration"] == "6"
    # Everything the feed points at is served to the public.
    for url in (thumbnail, enclosure.href):
        assert client.get(url.removeprefix("http://localhost")).status_code in (200, 206)
    body = client.get("/feeds/panels.atom").get_data(as_text=True)
    assert "Secret draft" not in body and "Unlisted one" not in body and "Next year" not in body


def test_no_enclosure_when_downloads_are_off(client, app_ctx, line_up):
    # With downloads off the public streams over HLS and whole files answer 404,
    # so the feed names none of them.
    line_up.downloads_enabled = False
    db.session.commit()
    response = client.get("/feeds/panels.atom")
    entry = parse(response).entries[0]
    assert [link for link in entry.links if link.rel == "enclosure"] == []
    assert "media_content" not in entry and "media_thumbnail" in entry
    body = response.get_data(as_text=True)
    assert ".mp4" not in body and ".m4a" not in body


def test_a_bird_only_panelist_keeps_the_camera_out_of_the_feed(client, make_panel, make_panelist, add_ready_recording):
    panel = make_panel()
    make_panelist("Gemma Went", panel=panel, consent=Consent.BIRD)
    recording = add_ready_recording(panel)
    camera = [r.storage_key for r in recording.renditions if r.kind.value in ("mp4", "poster", "hls")]
    body = client.get("/feeds/panels.atom").get_data(as_text=True)
    assert camera and not any(key in body for key in camera)
    entry = parse(client.get("/feeds/panels.atom")).entries[0]
    (enclosure,) = [link for link in entry.links if link.rel == "enclosure"]
    assert enclosure.type == "audio/mp4"
    assert "media_thumbnail" not in entry


def test_event_feed_follows_old_slugs_and_404s_unknown_events(client, app_ctx, line_up):
    event = line_up.event
    old = event.slug
    slugs.rename(event, "Social Media Week London")
    event.name = "Social Media Week London"
    db.session.commit()
    moved = client.get(f"/events/{old}/feed.atom")
    assert moved.status_code == 301 and moved.location.endswith(f"/events/{event.slug}/feed.atom")
    feed = parse(client.get(f"/events/{event.slug}/feed.atom"))
    assert feed.feed.title.startswith("Social Media Week London")
    assert [e.title for e in feed.entries] == ["What is social influence?"]
    assert client.get("/events/no-such-event/feed.atom").status_code == 404


def test_an_event_without_a_public_panel_has_no_feed(client, app_ctx, make_panel):
    draft = make_panel("Secret", status=PanelStatus.DRAFT)
    for path in ("feed.atom", "podcast.xml", "podcast.png"):
        assert client.get(f"/events/{draft.event.slug}/{path}").status_code == 404
    body = client.get("/feeds/panels.atom").get_data(as_text=True)
    assert "Secret" not in body and "<entry>" not in body


def test_entry_ids_survive_renames_and_the_feed_revalidates(client, app_ctx, line_up):
    first = parse(client.get("/feeds/panels.atom")).entries[0].id
    slugs.rename(line_up, "What is influence, really?")
    line_up.title = "What is influence, really?"
    db.session.commit()
    response = client.get("/feeds/panels.atom")
    assert parse(response).entries[0].id == first
    etag = response.headers["ETag"]
    assert client.get("/feeds/panels.atom", headers={"If-None-Match": etag}).status_code == 304


def test_titles_are_escaped_not_markup(client, app_ctx, make_panel):
    make_panel("Tags <script>alert(1)</script> & “quotes”")
    response = client.get("/feeds/panels.atom")
    root = ET.fromstring(response.data)
    assert root.find(f"{ATOM}entry/{ATOM}title").text == "Tags <script>alert(1)</script> & “quotes”"
    assert b"<script>" not in response.data


def test_every_page_links_the_site_feed_and_event_pages_the_event_feeds(client, line_up):
    home = client.get("/").get_data(as_text=True)
    assert (
        'rel="alternate" type="application/atom+xml" title="New panels on eventsite" href="http://localhost/feeds/panels.atom"'
        in home
    )
    event_slug = line_up.event.slug
    event_page = client.get(f"/events/{event_slug}/").get_data(as_text=True)
    assert (
        f'type="application/atom+xml" title="Social Media Week: panels" href="http://localhost/events/{event_slug}/feed.atom"'
        in event_page
    )
    assert (
        f'type="application/rss+xml" title="Social Media Week (podcast)" href="http://localhost/events/{event_slug}/podcast.xml"'
        in event_page
    )
    assert ">Atom<" in event_page and ">Podcast<" in event_page
    panel_page = client.get(f"/events/{event_slug}/{line_up.slug}/").get_data(as_text=True)
    assert f'href="http://localhost/events/{event_slug}/feed.atom"' in panel_page
    assert "podcast.xml" not in panel_page
