"""Public pages: home, event, panel, panelist."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for

from ..extensions import db, limiter
from ..recordings.serving import content_type_for, stored_file_response
from ..storage import LocalMediaStore, StorageError, media_store
from . import birds, slugs, stats
from . import operations as ops
from .cards import panel_cards
from .loader import load_panel, may_see_event, may_see_panelist
from .models import Event, Panel, Panelist
from .page import render_panel_page

bp = Blueprint("events", __name__)


@bp.route("/")
def home():
    """Events and the latest panels."""
    latest = ops.latest_panels()
    return render_template(
        "events/home.html", events=ops.events_with_listed_panels(), latest=latest, cards=panel_cards(latest)
    )


@bp.route("/events/<slug>/")
def event(slug: str):
    """An event and its panels in programme order.

    :raise 404: unknown slug (old slugs redirect), or an event with no public panel.
    """
    found, moved = slugs.find(Event, slug)
    if found is None or not may_see_event(found):
        abort(404)
    if moved:
        return redirect(url_for(".event", slug=found.slug), 301)
    panels = ops.listed_panels_of(found)
    return render_template("events/event.html", event=found, panels=panels, cards=panel_cards(panels))


@bp.route("/events/<event_slug>/<slug>/")
def panel(event_slug: str, slug: str):
    """A panel page; drafts and future scheduled panels only for organisers.

    :raise 301: an old event or panel slug.
    :raise 404: unknown slug, or not public and not signed in.
    """
    return render_panel_page(load_panel(event_slug, slug, endpoint="events.panel"))


@bp.route("/people/<slug>/")
def panelist(slug: str):
    """A panelist's profile and their public panels.

    :raise 404: unknown slug (old slugs redirect), or nobody seated on a public panel.
    """
    person, moved = slugs.find(Panelist, slug)
    if person is None or not may_see_panelist(person):
        abort(404)
    if moved:
        return redirect(url_for(".panelist", slug=person.slug), 301)
    return render_template("events/panelist.html", person=person, panels=ops.public_panels_of(person))


@bp.route("/people/<slug>/<kind>")
def person_image(slug: str, kind: str):
    """A panelist's portrait (``photo``), bird artwork (``avatar``) or bird (``bird``, ``?size=96``).

    :raise 404: unknown person, kind, size, no image, or nobody seated on a public panel.
    """
    person = db.session.scalar(sa.select(Panelist).where(Panelist.slug == slug))
    if person is not None and not may_see_panelist(person):
        abort(404)
    if person is not None and kind == "bird":
        size = request.args.get("size", 192, type=int)
        key = birds.bird_portrait_key(person, size) if size in birds.PORTRAIT_SIZES else None
    else:
        key = {"photo": person.photo_key, "avatar": person.avatar_key}.get(kind) if person else None
    if not key:
        abort(404)
    store = media_store()
    if not isinstance(store, LocalMediaStore):
        # Keys change whenever the image changes, so the URL can be cached long.
        return stored_file_response(key, content_type_for(key), "public, max-age=3600")
    try:
        path = store.path(key)
    except StorageError:
        abort(404)
    if not path.is_file():
        abort(404)
    # Keys change whenever the image changes, so the URL can be cached long.
    return send_file(path, max_age=3600, conditional=True)


@bp.route("/api/panels/<int:panel_id>/views", methods=["POST"])
# One address can't run up a count by looping the beacon (changing User-Agent each time).
@limiter.limit("20 per hour")
def count_view(panel_id: int):
    """The player's "playback started" beacon; counts once a day per visitor.

    :raise 404: unknown or unpublished panel.
    """
    panel = db.session.get(Panel, panel_id)
    if panel is None or not panel.is_public():
        abort(404)
    stats.record_view(panel, request.remote_addr or "", request.headers.get("User-Agent", ""))
    return Response(status=204)
