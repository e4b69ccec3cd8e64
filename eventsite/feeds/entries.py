"""What a feed says about each published panel, gathered once for Atom and the podcast.

A feed is read by machines that cache it and pass it on, so it holds only
what anyone may see: listed panels (the SQL form of :meth:`Panel.is_listed`,
never the organiser's view of drafts), and of their media only what
:func:`player_media` offers the public, which already applies every seated
panelist's consent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, render_template

from ..events import slugs
from ..events.birds import bird_version
from ..events.models import Event, Panel, Panelist, Seat, SeatRole, SlugRedirect
from ..extensions import db
from ..recordings.media_urls import caption_url, media_url
from ..recordings.models import Recording, Rendition
from ..recordings.player import PlayerMedia, player_media
from ..recordings.serving import content_type_for
from ..rendering import render_markdown
from ..urls import absolute, absolute_for, base_url, panel_url

#: The Podcast Index's namespace for UUIDv5 feed GUIDs (podcast:guid).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
#: Entries in the site-wide feed; an event's feed lists all its panels.
SITE_FEED_LIMIT = 50
#: The Podcast Taxonomy's cast roles for our seat roles (a moderator leads the talk, as a host does).
PODCAST_ROLES = {SeatRole.HOST: "host", SeatRole.MODERATOR: "host", SeatRole.PANELIST: "guest"}


@dataclass(frozen=True)
class Enclosure:
    url: str
    type: str
    length: int


@dataclass(frozen=True)
class Person:
    name: str
    #: Our seat role ("host", "moderator", "panelist").
    role: str
    url: str
    image_url: str


@dataclass
class FeedEntry:
    """One published panel as every feed shows it."""

    panel: Panel
    media: PlayerMedia | None
    #: Never changes, whatever the panel or its event is renamed to.
    guid: str
    title: str
    url: str
    #: The abstract as plain text; ``content_html`` is the sanitised HTML.
    summary: str
    content_html: str
    published: datetime
    updated: datetime
    poster_url: str | None = None
    duration: float | None = None
    #: The top MP4 of the opening view, else the audio: for Atom. None when the
    #: panel's downloads are off (the public then streams, and whole files are 404).
    enclosure: Enclosure | None = None
    #: The audio rendition: the podcast's enclosure (None with downloads off).
    audio: Enclosure | None = None
    #: (absolute URL, language) of each caption track.
    captions: list[tuple[str, str]] = field(default_factory=list)
    chapters_url: str | None = None
    people: list[Person] = field(default_factory=list)


def stable_guid(name: str) -> uuid.UUID:
    """A UUIDv5 in the podcast namespace for ``name`` read on this site's host.

    Used for the entries' guids (``panels/<id>``), which no rename changes;
    the podcast's own guid is seeded with its feed URL (:func:`podcast_guid`).
    """
    host = urlsplit(base_url()).netloc
    return uuid.uuid5(PODCAST_GUID_NAMESPACE, f"{host}/{name}")


def first_slug(event: Event) -> str:
    """The slug the event had first: its oldest redirect's, or its own if it was never renamed."""
    oldest = db.session.scalar(
        sa.select(SlugRedirect.old_slug)
        .where(SlugRedirect.kind == "event", SlugRedirect.target_id == event.id)
        .order_by(SlugRedirect.id)
        .limit(1)
    )
    return oldest or event.slug


def podcast_guid(event: Event) -> str:
    """The event's podcast:guid: the UUIDv5 of the podcast's feed URL (scheme and trailing
    slash dropped), as Podcasting 2.0 defines it, with the URL the feed had first, so a
    rename of the event keeps the guid, as the rule's "never changes" wants."""
    feed_url = absolute_for("feeds.podcast", event_slug=first_slug(event))
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, feed_url.split("://", 1)[-1].rstrip("/")))


def entry_guid(panel: Panel) -> str:
    """The id of a panel's entry in every feed: ``urn:uuid:…`` from its database id."""
    return stable_guid(f"panels/{panel.id}").urn


def listed_panels(event: Event | None = None, limit: int | None = None) -> list[Panel]:
    """Listed panels, newest publication first, with what the feeds read loaded up front.

    :param event: only this event's panels (all of them); None for the whole site.
    """
    query = (
        sa.select(Panel)
        .where(Panel.is_listed())
        .options(
            so.joinedload(Panel.event),
            so.selectinload(Panel.seats).joinedload(Seat.panelist),
            so.selectinload(Panel.recordings).selectinload(Recording.renditions),
        )
        .order_by(sa.func.coalesce(Panel.publish_at, Panel.created_at).desc(), Panel.id.desc())
    )
    if event is not None:
        query = query.where(Panel.event_id == event.id)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def portrait_url(person: Panelist) -> str:
    """An absolute URL of the panelist's photo, or of their bird when they have none."""
    if person.photo_key:
        return absolute_for(
            "events.person_image", slug=person.slug, kind="photo", v=person.photo_key.rsplit("/", 1)[-1]
        )
    return absolute_for("events.person_image", slug=person.slug, kind="bird", size=256, v=bird_version(person))


def _enclosure(rendition: Rendition | None) -> Enclosure | None:
    if rendition is None:
        return None
    key = rendition.storage_key
    return Enclosure(absolute(media_url(key)), content_type_for(key), rendition.size_bytes or 0)


def feed_entry(panel: Panel) -> FeedEntry:
    """Everything the feeds say about ``panel`` (a listed panel)."""
    media = player_media(panel)
    html = render_markdown(panel.abstract) if panel.abstract else None
    summary = html.striptags() if html else f"{panel.title}, a panel at {panel.event.name}."
    entry = FeedEntry(
        panel=panel,
        media=media,
        guid=entry_guid(panel),
        title=panel.title,
        url=panel_url(panel),
        summary=summary,
        content_html="",
        published=panel.publish_at or panel.created_at,
        updated=max(panel.updated_at, panel.publish_at or panel.updated_at),
        people=[
            Person(
                seat.panelist.name,
                seat.role.value,
                absolute_for("events.panelist", slug=seat.panelist.slug),
                portrait_url(seat.panelist),
            )
            for seat in panel.seats
        ],
    )
    if media is not None:
        entry.duration = media.duration
        entry.poster_url = absolute(media.poster_url) if media.poster_url else None
        entry.audio = _enclosure(media.audio)
        # player_media leaves out every whole file the public may not fetch (views
        # not consented to; all of them when downloads are off), so neither can a feed.
        entry.enclosure = _enclosure(media.mp4s[0]) if media.mp4s else entry.audio
        entry.captions = [(absolute(caption_url(c)), c.language) for c in media.captions]
        if media.chapters:
            entry.chapters_url = absolute_for("feeds.chapters", event_slug=panel.event.slug, slug=panel.slug)
    entry.content_html = _content_html(entry, html)
    return entry


def _content_html(entry: FeedEntry, abstract_html) -> str:
    """The entry's HTML: poster, abstract, who is on the panel, how long it is."""
    return render_template("feeds/entry_content.html", entry=entry, abstract_html=abstract_html)


def chapters_document(panel: Panel, media: PlayerMedia) -> dict:
    """The Podcasting 2.0 JSON chapters of a panel's recording (version 1.2.0)."""
    chapters = []
    for item in media.chapter_list:
        chapter = {"startTime": round(item["chapter"].start, 3), "title": item["chapter"].title}
        chapter["url"] = panel_url(panel, t=int(item["chapter"].start))
        if item["panelist"] is not None:
            chapter["img"] = portrait_url(item["panelist"])
        if item["end"] is not None:
            chapter["endTime"] = round(item["end"], 3)
        chapters.append(chapter)
    return {
        "version": "1.2.0",
        "title": panel.title,
        "podcastName": panel.event.name,
        "author": panel.event.host_organisation or current_app.config["SITE_NAME"],
        "chapters": chapters,
    }


def feed_author(event: Event | None) -> str:
    """Who the feed is from: the event's host organisation, else the site."""
    return (event.host_organisation if event else "") or current_app.config["SITE_NAME"]


def resolve_event(slug: str) -> Event | None:
    """The event this URL slug names, following old slugs (as the event page does)."""
    return slugs.find(Event, slug)[0]
