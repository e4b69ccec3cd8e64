"""The podcast feed of an event: RSS 2.0 read by feedparser, and the iTunes and
Podcasting 2.0 tag rules checked on the XML itself."""

from __future__ import annotations

import io
import re
import uuid
from xml.etree import ElementTree as ET

import feedparser
import pytest
from PIL import Image

from eventsite.events import slugs
from eventsite.events.models import PanelStatus, SeatRole
from eventsite.extensions import db
from eventsite.feeds.entries import PODCAST_GUID_NAMESPACE

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
#: The Podcast Taxonomy's roles of the "cast" group that we use.
TAXONOMY_CAST_ROLES = {"host", "co-host", "guest"}


@pytest.fixture
def event_with_episodes(make_panel, make_panelist, add_ready_recording):
    panel = make_panel(abstract="How influence spreads.")
    make_panelist("Gemma Went", panel=panel, role=SeatRole.MODERATOR)
    make_panelist("Azeem Azhar", panel=panel, position=1)
    add_ready_recording(panel)
    make_panel("Draft talk", event=panel.event, status=PanelStatus.DRAFT)
    no_recording = make_panel("Still editing", event=panel.event)
    return panel, no_recording


def fetch(client, slug):
    response = client.get(f"/events/{slug}/podcast.xml")
    assert response.status_code == 200 and response.mimetype == "application/rss+xml"
    return response


def relative(url: str) -> str:
    assert url.startswith("http://localhost/"), url
    return url.removeprefix("http://localhost")


def test_podcast_parses_as_rss_with_itunes_channel_tags(client, event_with_episodes):
    panel, _ = event_with_episodes
    feed = feedparser.parse(fetch(client, panel.event.slug).data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title == "Social Media Week"
    assert feed.feed.author == "eventsite"
    assert feed.feed.image.href.startswith("http://localhost/events/social-media-week/podcast.png")
    assert feed.feed.tags[0].term == "Business"
    # Apple's current rule is "true"/"false"; feedparser only maps the older yes/clean.
    assert feed.feed.get("itunes_explicit") is not True
    # Only the listed panel with audio is an episode.
    (episode,) = feed.entries
    assert episode.title == panel.title
    assert episode.itunes_duration == "6"
    assert episode.itunes_episode == "1"
    (enclosure,) = episode.enclosures
    assert enclosure.type == "audio/x-m4a" and int(enclosure.length) > 0
    audio = client.get(relative(enclosure.href))
    assert audio.status_code == 200 and len(audio.data) == int(enclosure.length)


def test_podcast_namespace_tags_follow_the_published_rules(client, event_with_episodes):
    panel, _ = event_with_episodes
    root = ET.fromstring(fetch(client, panel.event.slug).data)
    channel = root.find("channel")
    # podcast:guid: once per channel, a UUIDv5 in the podcast namespace.
    (guid,) = channel.findall(f"{PODCAST}guid")
    assert UUID.match(guid.text)
    # podcast:locked: "yes" or "no", and never an e-mail address as owner.
    locked = channel.find(f"{PODCAST}locked")
    assert locked.text in ("yes", "no") and "owner" not in locked.attrib
    for tag in ("author", "image", "category", "explicit"):
        assert channel.find(f"{ITUNES}{tag}") is not None, tag
    assert channel.find(f"{ITUNES}image").get("href").startswith("http://localhost/")
    assert channel.find(f"{ITUNES}explicit").text in ("true", "false")
    category = channel.find(f"{ITUNES}category")
    assert category.get("text") == "Business" and not (category.text or "").strip()
    (item,) = channel.findall("item")
    assert item.find("guid").get("isPermaLink") == "false"
    enclosure = item.find("enclosure")
    assert {"url", "length", "type"} <= set(enclosure.attrib)
    assert int(item.find(f"{ITUNES}episode").text) > 0
    assert re.fullmatch(r"\d+", item.find(f"{ITUNES}duration").text)

    # podcast:transcript: url and type required; our captions are WebVTT with times.
    (transcript,) = item.findall(f"{PODCAST}transcript")
    assert transcript.get("type") == "text/vtt" and transcript.get("rel") == "captions"
    assert transcript.get("language") == "en"
    vtt = client.get(relative(transcript.get("url")))
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt"
    assert vtt.get_data(as_text=True).startswith("WEBVTT") and "Welcome to the panel." in vtt.get_data(as_text=True)

    # podcast:chapters: url and type required; the document has version and chapters.
    chapters_tag = item.find(f"{PODCAST}chapters")
    assert chapters_tag.get("type") == "application/json+chapters"
    chapters = client.get(relative(chapters_tag.get("url")))
    assert chapters.status_code == 200 and chapters.mimetype == "application/json+chapters"
    document = chapters.get_json(force=True)
    assert document["version"] == "1.2.0"
    assert [(c["startTime"], c["title"]) for c in document["chapters"]] == [(0, "Welcome"), (3, "Influence")]
    assert all(isinstance(c["startTime"], (int, float)) for c in document["chapters"])

    # podcast:person: the name as node value, a taxonomy role, the cast group, an image that loads.
    people = item.findall(f"{PODCAST}person")
    assert [(p.text, p.get("role"), p.get("group")) for p in people] == [
        ("Gemma Went", "host", "cast"),
        ("Azeem Azhar", "guest", "cast"),
    ]
    for person in people:
        assert person.get("role") in TAXONOMY_CAST_ROLES and len(person.text) <= 128
        portrait = client.get(relative(person.get("img")))
        assert portrait.status_code == 200 and portrait.mimetype == "image/png"
        assert client.get(relative(person.get("href"))).status_code == 200


def test_guids_stay_the_same_when_the_event_and_panel_are_renamed(client, app_ctx, event_with_episodes):
    panel, _ = event_with_episodes
    before = ET.fromstring(fetch(client, panel.event.slug).data).find("channel")
    old_slug = panel.event.slug
    slugs.rename(panel.event, "SMW London")
    slugs.rename(panel, "Influence, revisited")
    db.session.commit()
    moved = client.get(f"/events/{old_slug}/podcast.xml")
    assert moved.status_code == 301 and moved.location.endswith(f"/events/{panel.event.slug}/podcast.xml")
    after = ET.fromstring(fetch(client, panel.event.slug).data).find("channel")
    assert after.find(f"{PODCAST}guid").text == before.find(f"{PODCAST}guid").text
    assert after.find("item/guid").text == before.find("item/guid").text
    assert panel.slug in after.find("item/link").text


def test_the_guid_is_made_the_podcast_index_way():
    # The namespace's own example: podnews.net/rss → 9b024349-ccf0-5f69-a609-6b82873eab3c.
    assert str(uuid.uuid5(PODCAST_GUID_NAMESPACE, "podnews.net/rss")) == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_every_url_is_absolute_on_the_public_address(client, app, event_with_episodes):
    panel, _ = event_with_episodes
    app.config["BASE_URL"] = "https://panels.example.org"
    body = fetch(client, panel.event.slug).get_data(as_text=True)
    urls = re.findall(r'(?:url|href|img)="([^"]+)"', body) + re.findall(r"<link>([^<]+)</link>", body)
    assert urls and all(u.startswith("https://panels.example.org/") for u in urls), urls


def test_cover_is_a_square_png_podcast_directories_accept(client, event_with_episodes):
    panel, _ = event_with_episodes
    response = client.get(f"/events/{panel.event.slug}/podcast.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (1400, 1400)
    again = client.get(f"/events/{panel.event.slug}/podcast.png", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_chapters_of_hidden_panels_are_404(client, app_ctx, event_with_episodes):
    panel, no_recording = event_with_episodes
    path = f"/events/{panel.event.slug}/{panel.slug}/chapters.json"
    assert client.get(path).status_code == 200
    assert client.get(f"/events/{panel.event.slug}/{no_recording.slug}/chapters.json").status_code == 404
    panel.status = PanelStatus.DRAFT
    db.session.commit()
    assert client.get(path).status_code == 404
    body = client.get(f"/events/{panel.event.slug}/podcast.xml").get_data(as_text=True)
    assert "<item>" not in body


def test_no_episode_without_a_public_audio_file(client, app_ctx, event_with_episodes):
    panel, _ = event_with_episodes
    panel.downloads_enabled = False  # streams only: the audio file answers 404 to the public
    db.session.commit()
    body = fetch(client, panel.event.slug).get_data(as_text=True)
    assert "<item>" not in body and ".m4a" not in body


def test_unknown_event_has_no_podcast(client, app_ctx):
    assert client.get("/events/nope/podcast.xml").status_code == 404
    assert client.get("/events/nope/podcast.png").status_code == 404
