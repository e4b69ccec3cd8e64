"""Atom 1.0 (RFC 4287) feeds of published panels, written with ElementTree.

Each entry carries what a feed reader shows beside a video: the poster (Media
RSS ``media:thumbnail`` and an ``<img>`` in the content), the duration
(``media:content``), and an enclosure link to a file the public may fetch.
"""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from ..database import utcnow
from .entries import FeedEntry
from .xmltree import sub

ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"
# Prefixes are process-wide in ElementTree, and the sitemap registers a default
# namespace of its own; so Atom's elements are written unqualified under an
# explicit xmlns on the root, which every XML parser reads as the Atom namespace.
ET.register_namespace("media", MEDIA)


def _a(tag: str) -> str:
    return tag


def _m(tag: str) -> str:
    return f"{{{MEDIA}}}{tag}"


def atom_feed(
    *, feed_id: str, title: str, self_url: str, page_url: str, author: str, subtitle: str, entries: list[FeedEntry]
) -> bytes:
    """The Atom document for ``entries`` (newest first), as UTF-8 bytes with its declaration."""
    feed = ET.Element("feed", {"xmlns": ATOM})
    sub(feed, _a("id"), feed_id)
    sub(feed, _a("title"), title)
    sub(feed, _a("subtitle"), subtitle)
    sub(feed, _a("link"), rel="self", type="application/atom+xml", href=self_url)
    sub(feed, _a("link"), rel="alternate", type="text/html", href=page_url)
    newest: datetime = max((e.updated for e in entries), default=None) or utcnow()
    sub(feed, _a("updated"), newest.isoformat())
    sub(sub(feed, _a("author")), _a("name"), author)
    sub(feed, _a("generator"), "eventsite")
    for entry in entries:
        _entry(feed, entry, author)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(feed: ET.Element, entry: FeedEntry, author: str) -> None:
    node = sub(feed, _a("entry"))
    sub(node, _a("id"), entry.guid)
    sub(node, _a("title"), entry.title)
    sub(node, _a("link"), rel="alternate", type="text/html", href=entry.url)
    sub(node, _a("published"), entry.published.isoformat())
    sub(node, _a("updated"), entry.updated.isoformat())
    sub(sub(node, _a("author")), _a("name"), author)
    for person in entry.people:
        contributor = sub(node, _a("contributor"))
        sub(contributor, _a("name"), person.name)
        sub(contributor, _a("uri"), person.url)
    sub(node, _a("category"), term=entry.panel.event.slug, label=entry.panel.event.name)
    sub(node, _a("summary"), entry.summary, type="text")
    sub(node, _a("content"), entry.content_html, type="html")
    if entry.enclosure:
        enc = entry.enclosure
        sub(node, _a("link"), rel="enclosure", type=enc.type, length=str(enc.length), href=enc.url)
    if entry.poster_url:
        sub(node, _m("thumbnail"), url=entry.poster_url)
    if entry.enclosure:
        medium = "audio" if entry.enclosure.type.startswith("audio/") else "video"
        sub(
            node,
            _m("content"),
            url=entry.enclosure.url,
            type=entry.enclosure.type,
            fileSize=str(entry.enclosure.length),
            medium=medium,
            duration=str(round(entry.duration)) if entry.duration else None,
        )
