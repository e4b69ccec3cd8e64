"""What podcast directories and the W3C feed validator asked of the podcast:
square art of 1400–3000 px for the show and every episode, ``audio/x-m4a`` for the
``.m4a`` enclosure, an ``<itunes:owner>`` with an address the site chose (never a
commenter's), and a ``podcast:guid`` that is the UUIDv5 of the feed's URL."""

from __future__ import annotations

import io
import uuid
from xml.etree import ElementTree as ET

from PIL import Image

from eventsite.events import slugs
from eventsite.extensions import db
from eventsite.feeds.entries import PODCAST_GUID_NAMESPACE
from tests.feeds import test_podcast
from tests.feeds.test_podcast import ITUNES, PODCAST, fetch, relative

event_with_episodes = test_podcast.event_with_episodes  # the same fixture

COMMENTER = "commenter.private@example.org"


def channel_of(client, slug):
    return ET.fromstring(fetch(client, slug).data).find("channel")


def test_every_itunes_image_is_square_and_big_enough(client, event_with_episodes):
    panel, _ = event_with_episodes
    channel = channel_of(client, panel.event.slug)
    images = [channel.find(f"{ITUNES}image")] + [item.find(f"{ITUNES}image") for item in channel.findall("item")]
    assert len(images) >= 2 and all(image is not None for image in images)
    for image in images:
        picture = Image.open(io.BytesIO(client.get(relative(image.get("href"))).data))
        width, height = picture.size
        assert width == height and 1400 <= width <= 3000, picture.size


def test_an_m4a_enclosure_says_audio_x_m4a(client, event_with_episodes):
    panel, _ = event_with_episodes
    (item,) = channel_of(client, panel.event.slug).findall("item")
    enclosure = item.find("enclosure")
    assert enclosure.get("url").endswith(".m4a") and enclosure.get("type") == "audio/x-m4a"


def test_the_owner_is_the_address_the_site_chose(app, client, event_with_episodes):
    panel, _ = event_with_episodes
    app.config["PODCAST_OWNER_EMAIL"] = "podcasts@panels.example.org"
    owner = channel_of(client, panel.event.slug).find(f"{ITUNES}owner")
    assert owner.find(f"{ITUNES}email").text == "podcasts@panels.example.org"
    assert owner.find(f"{ITUNES}name").text
    # Unset, it is the sender address of the site's mail, never anyone from the discussion.
    app.config.update(PODCAST_OWNER_EMAIL="", MAIL_FROM="Panels <hello@panels.example.org>")
    body = fetch(client, panel.event.slug).get_data(as_text=True)
    assert "<itunes:email>hello@panels.example.org</itunes:email>" in body and COMMENTER not in body


def test_the_guid_is_the_uuidv5_of_the_feed_url_and_survives_a_rename(app, client, event_with_episodes):
    panel, _ = event_with_episodes
    app.config["BASE_URL"] = "https://panels.example.org"
    feed_url = f"panels.example.org/events/{panel.event.slug}/podcast.xml"
    guid = channel_of(client, panel.event.slug).find(f"{PODCAST}guid").text
    assert guid == str(uuid.uuid5(PODCAST_GUID_NAMESPACE, feed_url))
    slugs.rename(panel.event, "A new name")
    db.session.commit()
    assert channel_of(client, panel.event.slug).find(f"{PODCAST}guid").text == guid
