"""Following an event from outside the site: Atom feeds, the podcast, its
cover art and the JSON chapters the podcast points at."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for

from ..events.loader import event_is_public, load_panel
from ..events.models import Event
from ..recordings.player import player_media
from ..urls import absolute_for
from .artwork import artwork_version, podcast_artwork
from .atom import atom_feed
from .entries import (
    SITE_FEED_LIMIT,
    chapters_document,
    feed_author,
    feed_entry,
    listed_panels,
    resolve_event,
    stable_guid,
)
from .podcast import CHAPTERS_TYPE, podcast_feed

bp = Blueprint("feeds", __name__)

#: Feed readers poll; five minutes of staleness is fine, and ETags make the rest cheap.
FEED_CACHE = "public, max-age=300"


def _event_or_redirect(event_slug: str, endpoint: str) -> Event:
    """The event of the URL.

    :raise 301: an old slug, to ``endpoint`` at the current one.
    :raise 404: no such event, or one without a public panel.
    """
    event = resolve_event(event_slug)
    # As the event page: an event with no public panel is not public yet (checked
    # before any redirect, so an old slug never reveals a draft programme's new name).
    if event is None or not event_is_public(event.id):
        abort(404)
    if event.slug != event_slug:
        abort(redirect(url_for(endpoint, event_slug=event.slug), 301))
    return event


def _cached(body: bytes, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype, headers={"Cache-Control": FEED_CACHE})
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/feeds/panels.atom")
def site_feed():
    """The newest listed panels of the whole site, as Atom."""
    entries = [feed_entry(p) for p in listed_panels(limit=SITE_FEED_LIMIT)]
    site = current_app.config["SITE_NAME"]
    body = atom_feed(
        feed_id=stable_guid("feeds/panels.atom").urn,
        title=f"New panels · {site}",
        subtitle="Conference panels published on video.",
        self_url=absolute_for("feeds.site_feed"),
        page_url=absolute_for("events.home"),
        author=feed_author(None),
        entries=entries,
    )
    return _cached(body, "application/atom+xml")


@bp.route("/events/<event_slug>/feed.atom")
def event_feed(event_slug: str):
    """An event's listed panels, as Atom.

    :raise 301: an old event slug.
    :raise 404: no such event.
    """
    event = _event_or_redirect(event_slug, "feeds.event_feed")
    entries = [feed_entry(p) for p in listed_panels(event)]
    body = atom_feed(
        feed_id=stable_guid(f"events/{event.id}/feed.atom").urn,
        title=f"{event.name} · {current_app.config['SITE_NAME']}",
        subtitle=f"Panels from {event.name}.",
        self_url=absolute_for("feeds.event_feed", event_slug=event.slug),
        page_url=absolute_for("events.event", slug=event.slug),
        author=feed_author(event),
        entries=entries,
    )
    return _cached(body, "application/atom+xml")


@bp.route("/events/<event_slug>/podcast.xml")
def podcast(event_slug: str):
    """An event's listed panels with audio, as a podcast (RSS 2.0, iTunes, Podcasting 2.0).

    :raise 301: an old event slug.
    :raise 404: no such event.
    """
    event = _event_or_redirect(event_slug, "feeds.podcast")
    entries = [feed_entry(p) for p in listed_panels(event)]
    version = artwork_version(event, current_app.config["SITE_NAME"])
    body = podcast_feed(
        event,
        entries,
        self_url=absolute_for("feeds.podcast", event_slug=event.slug),
        page_url=absolute_for("events.event", slug=event.slug),
        image_url=absolute_for("feeds.artwork", event_slug=event.slug, v=version),
    )
    return _cached(body, "application/rss+xml")


#: Podcast apps that subscribe from a link: (name, how the feed's URL becomes the link).
PODCAST_APPS = [
    ("Apple Podcasts", lambda url: "podcast://" + url.split("://", 1)[-1]),
    ("Pocket Casts", lambda url: "pktc://subscribe/" + url.split("://", 1)[-1]),
    ("Overcast", lambda url: "overcast://x-callback-url/add?url=" + quote(url, safe="")),
    ("AntennaPod", lambda url: "antennapod-subscribe://" + url),
]


@bp.route("/events/<event_slug>/podcast/")
def podcast_page(event_slug: str):
    """Subscribe to an event's podcast: the feed's address to copy, links that open podcast
    apps, and the episodes (the feed itself is XML, which a browser shows as code).

    :raise 301: an old event slug.
    :raise 404: no such event.
    """
    event = _event_or_redirect(event_slug, "feeds.podcast_page")
    feed_url = absolute_for("feeds.podcast", event_slug=event.slug)
    episodes = [entry for entry in (feed_entry(p) for p in listed_panels(event)) if entry.audio]
    apps = [(name, link(feed_url)) for name, link in PODCAST_APPS]
    return render_template("feeds/podcast.html", event=event, feed_url=feed_url, apps=apps, episodes=episodes)


@bp.route("/events/<event_slug>/podcast.png")
def artwork(event_slug: str):
    """The podcast's square cover (1400×1400 PNG).

    :raise 301: an old event slug.
    :raise 404: no such event.
    """
    event = _event_or_redirect(event_slug, "feeds.artwork")
    site = current_app.config["SITE_NAME"]
    version = artwork_version(event, site)
    if request.if_none_match.contains(version):
        return Response(status=304, headers={"ETag": f'"{version}"', "Cache-Control": "public, max-age=86400"})
    response = Response(podcast_artwork(event, site), mimetype="image/png")
    response.set_etag(version)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/events/<event_slug>/<slug>/chapters.json")
def chapters(event_slug: str, slug: str):
    """A panel's chapters in the Podcasting 2.0 JSON chapters format.

    :raise 301: old slugs.
    :raise 404: no such panel, one this visitor may not see, or no chapters.
    """
    panel = load_panel(event_slug, slug, endpoint="feeds.chapters")
    media = player_media(panel)
    if media is None or not media.chapters:
        abort(404)
    response = jsonify(chapters_document(panel, media))
    response.mimetype = CHAPTERS_TYPE
    response.headers["Cache-Control"] = FEED_CACHE if panel.is_public() else "private, no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()
    return response.make_conditional(request)
