"""An event's panels as a podcast: RSS 2.0 with Apple's iTunes tags and the
Podcasting 2.0 namespace (https://podcastindex.org/namespace/1.0).

Rules from the namespace that shape what is written here:

- ``podcast:guid`` (channel, once) is a UUIDv5 in the podcast namespace and
  never changes (see :func:`entries.podcast_guid`).
- ``podcast:locked`` is "yes" or "no"; its optional ``owner`` is an e-mail
  address, which this site never publishes, so it is left out.
- ``podcast:transcript`` needs ``url`` and ``type`` (``text/vtt`` for our
  captions, with ``rel="captions"`` because WebVTT carries times).
- ``podcast:chapters`` needs ``url`` and ``type`` (``application/json+chapters``).
- ``podcast:person``'s node value is the name (never blank); ``role`` and
  ``group`` come from the Podcast Taxonomy (host, guest; cast); ``img`` and
  ``href`` are optional URLs.
- An episode without an audio file is not a podcast episode: panels whose
  recording has no public audio rendition are left out.
"""

from __future__ import annotations

from email.utils import parseaddr
from xml.etree import ElementTree as ET

from flask import current_app

from ..database import utcnow
from ..events.models import Event, SeatRole
from ..rendering import render_markdown
from ..times import rss_date
from .entries import PODCAST_ROLES, FeedEntry, feed_author, podcast_guid
from .xmltree import sub

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
for _prefix, _uri in (("itunes", ITUNES), ("podcast", PODCAST), ("atom", ATOM)):
    ET.register_namespace(_prefix, _uri)

#: The site's pages are in English (``<html lang="en">``); caption tracks name their own language.
LANGUAGE = "en"
#: Type of the chapters file named in podcast:chapters.
CHAPTERS_TYPE = "application/json+chapters"


def _i(tag: str) -> str:
    return f"{{{ITUNES}}}{tag}"


def _p(tag: str) -> str:
    return f"{{{PODCAST}}}{tag}"


def episodes_of(entries: list[FeedEntry]) -> list[tuple[int, FeedEntry]]:
    """The entries with an audio file, numbered in programme order (1, 2, …), newest first.

    Numbers follow the event's programme, which is fixed once the event is
    over, so they stay put when a panel is published late.
    """
    playable = [e for e in entries if e.audio is not None]
    programme = sorted(
        playable, key=lambda e: (e.panel.starts_at is None, e.panel.starts_at or e.published, e.panel.id)
    )
    numbered = {id(e): n for n, e in enumerate(programme, start=1)}
    return [(numbered[id(e)], e) for e in playable]


def podcast_feed(event: Event, entries: list[FeedEntry], *, self_url: str, page_url: str, image_url: str) -> bytes:
    """The podcast RSS document of ``event`` as UTF-8 bytes."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = sub(rss, "channel")
    title = event.name
    description = _channel_description(event, entries)
    author = feed_author(event)
    sub(channel, "title", title)
    sub(channel, "link", page_url)
    sub(channel, "description", description)
    sub(channel, "language", LANGUAGE)
    sub(channel, "generator", "eventsite")
    sub(channel, "lastBuildDate", rss_date(max((e.updated for e in entries), default=None) or utcnow()))
    sub(channel, f"{{{ATOM}}}link", rel="self", type="application/rss+xml", href=self_url)
    image = sub(channel, "image")
    sub(image, "url", image_url)
    sub(image, "title", title)
    sub(image, "link", page_url)
    sub(channel, _i("author"), author)
    owner = sub(channel, _i("owner"))
    sub(owner, _i("name"), author)
    sub(owner, _i("email"), owner_email())
    sub(channel, _i("summary"), description)
    sub(channel, _i("image"), href=image_url)
    sub(channel, _i("category"), text=current_app.config["PODCAST_CATEGORY"])
    sub(channel, _i("explicit"), "false")
    sub(channel, _i("type"), "episodic")
    sub(channel, _p("guid"), podcast_guid(event))
    sub(channel, _p("locked"), "yes")
    sub(channel, _p("medium"), "podcast")
    for number, entry in episodes_of(entries):
        _item(channel, entry, number, image_url)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


def _channel_description(event: Event, entries: list[FeedEntry]) -> str:
    text = render_markdown(event.description).striptags() if event.description else ""
    return text or f"Panels from {event.name}" + (
        f", hosted by {event.host_organisation}." if event.host_organisation else "."
    )


def owner_email() -> str:
    """The address the site's operators chose for the podcast (``PODCAST_OWNER_EMAIL``, else
    ``MAIL_FROM``'s): directories mail it to verify ownership."""
    config = current_app.config
    return config.get("PODCAST_OWNER_EMAIL") or parseaddr(config["MAIL_FROM"])[1]


def _item(channel: ET.Element, entry: FeedEntry, number: int, square_image_url: str) -> None:
    item = sub(channel, "item")
    sub(item, "title", entry.title)
    sub(item, "link", entry.url)
    sub(item, "guid", entry.guid, isPermaLink="false")
    sub(item, "pubDate", rss_date(entry.published))
    sub(item, "description", entry.content_html)
    audio = entry.audio
    # Apple's and the W3C validator's type for an .m4a enclosure (the media route serves audio/mp4).
    kind = "audio/x-m4a" if audio.url.endswith(".m4a") else audio.type
    sub(item, "enclosure", url=audio.url, length=str(audio.length), type=kind)
    sub(item, _i("title"), entry.title)
    sub(item, _i("summary"), entry.summary)
    if entry.duration:
        sub(item, _i("duration"), str(round(entry.duration)))
    # Apple wants episode art square, 1400–3000 px: the poster (16:9) is not, the cover is.
    sub(item, _i("image"), href=square_image_url)
    sub(item, _i("episode"), str(number))
    sub(item, _i("episodeType"), "full")
    sub(item, _i("explicit"), "false")
    sub(item, _p("episode"), str(number))
    for url, language in entry.captions:
        sub(item, _p("transcript"), url=url, type="text/vtt", language=language, rel="captions")
    if entry.chapters_url:
        sub(item, _p("chapters"), url=entry.chapters_url, type=CHAPTERS_TYPE)
    for person in entry.people:
        sub(
            item,
            _p("person"),
            person.name[:128],
            role=PODCAST_ROLES[SeatRole(person.role)],
            group="cast",
            img=person.image_url,
            href=person.url,
        )
