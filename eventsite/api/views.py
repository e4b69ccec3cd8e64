"""``/api/v1/``: the public JSON API (read-only).

Lists hold listed panels only; a panel's own address also answers for an
unlisted one (public by link, as its page is). Drafts and panels scheduled
for later are 404 for everybody here, organisers included: API answers are
cached by anyone along the way, so they never depend on who asks.
"""

from __future__ import annotations

from typing import NoReturn

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from ..discussion.models import Comment, CommentStatus
from ..discussion.queries import count_discussion
from ..events import slugs
from ..events.loader import event_is_public, panelist_is_public, resolve_panel
from ..events.models import Event, Panel, Panelist, Seat
from ..events.operations import listed_panels_of, public_panels_of
from ..extensions import db
from ..feeds.entries import resolve_event
from . import serialise
from .openapi import openapi_document
from .responses import ApiError, cors, error_response, json_response, page_request, paged

bp = Blueprint("api", __name__)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Errors inside the API answer in JSON, whatever page the site would show."""
    if isinstance(error, ApiError) or error.code in (301, 302, 304, 308):
        return error
    return error_response(error.code or 500, error.description or error.name)


@bp.after_request
def allow_any_origin(response: Response) -> Response:
    cors(response)
    if request.method == "OPTIONS":
        # A preflight for a GET that sends If-None-Match.
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _moved(endpoint: str, **values) -> NoReturn:
    """Raise a 301 to the same API route at an object's current slugs."""
    abort(redirect(url_for(endpoint, **{**request.args.to_dict(), **values}), 301))


def _event(event_slug: str) -> Event:
    """The public event of the slug (as its page: one with a public panel)."""
    event = resolve_event(event_slug)
    if event is None or not event_is_public(event.id):
        raise ApiError(404, "No public event has this slug.")
    return event


def _public_panel(event_slug: str, panel_slug: str, endpoint: str) -> Panel:
    """The public panel these slugs name (old slugs answer 301, drafts 404)."""
    panel = resolve_panel(event_slug, panel_slug)
    if panel is None or not panel.is_public():
        raise ApiError(404, "No public panel has these slugs.")
    if (panel.event.slug, panel.slug) != (event_slug, panel_slug):
        _moved(endpoint, event_slug=panel.event.slug, panel_slug=panel.slug)
    return panel


@bp.get("/")
def docs():
    """A page listing the endpoints, for people (machines read ``openapi.json``)."""
    return render_template("api/docs.html", spec=openapi_document())


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return json_response(openapi_document())


@bp.get("/events")
def events():
    """Every public event (one with a public panel), newest first, with how many listed panels each has."""
    public = sa.exists().where(Panel.event_id == Event.id, Panel.is_public())
    query = (
        sa.select(Event)
        .where(public)
        .order_by(sa.func.coalesce(Event.starts_on, sa.func.date(Event.created_at)).desc(), Event.id.desc())
    )
    return paged(query, _event_rows, page_request())


def _event_rows(rows: list[Event]) -> list[dict]:
    counts = dict(
        db.session.execute(
            sa.select(Panel.event_id, sa.func.count(Panel.id))
            .where(Panel.event_id.in_([e.id for e in rows]), Panel.is_listed())
            .group_by(Panel.event_id)
        ).all()
    )
    return [serialise.event_summary(e, counts.get(e.id, 0)) for e in rows]


@bp.get("/events/<event_slug>")
def event(event_slug: str):
    """An event and its listed panels in programme order."""
    found = _event(event_slug)
    if found.slug != event_slug:
        _moved("api.event", event_slug=found.slug)
    return json_response(serialise.event_detail(found, listed_panels_of(found)))


@bp.get("/panels")
def panels():
    """Listed panels, newest published first."""
    query = (
        sa.select(Panel)
        .where(Panel.is_listed())
        .options(so.joinedload(Panel.event), so.selectinload(Panel.seats).joinedload(Seat.panelist))
        .order_by(sa.func.coalesce(Panel.publish_at, Panel.created_at).desc(), Panel.id.desc())
    )
    return paged(query, lambda rows: [serialise.panel_summary(p) for p in rows], page_request())


@bp.get("/events/<event_slug>/panels/<panel_slug>")
def panel(event_slug: str, panel_slug: str):
    """A public panel: media the public may see, captions, chapters, panelists."""
    found = _public_panel(event_slug, panel_slug, "api.panel")
    comments, _threads = count_discussion(found.id, ())
    return json_response(serialise.panel_detail(found, comments))


@bp.get("/events/<event_slug>/panels/<panel_slug>/comments")
def comments(event_slug: str, panel_slug: str):
    """A public panel's approved comments, oldest first."""
    found = _public_panel(event_slug, panel_slug, "api.comments")
    query = (
        sa.select(Comment)
        .where(Comment.panel_id == found.id, Comment.status == CommentStatus.APPROVED, ~Comment.deleted)
        .order_by(Comment.created_at, Comment.id)
    )
    return paged(query, _comment_rows, page_request())


def _comment_rows(rows: list[Comment]) -> list[dict]:
    parent_ids = {c.parent_id for c in rows if c.parent_id}
    visible = set(
        db.session.scalars(
            sa.select(Comment.id).where(
                Comment.id.in_(parent_ids), Comment.status == CommentStatus.APPROVED, ~Comment.deleted
            )
        )
        if parent_ids
        else ()
    )
    return [serialise.comment(c, visible) for c in rows]


@bp.get("/panelists")
def panelists():
    """People who sit on at least one listed panel, by name."""
    on_listed = sa.select(Seat.panelist_id).join(Panel, Panel.id == Seat.panel_id).where(Panel.is_listed())
    query = sa.select(Panelist).where(Panelist.id.in_(on_listed)).order_by(Panelist.name, Panelist.id)
    return paged(query, lambda rows: [serialise.person_summary(p) for p in rows], page_request())


@bp.get("/panelists/<panelist_slug>")
def panelist(panelist_slug: str):
    """A panelist's profile and their listed panels (as their page shows them)."""
    person, moved = slugs.find(Panelist, panelist_slug)
    # People are public once they sit on a public panel, as their page is.
    if person is None or not panelist_is_public(person.id):
        raise ApiError(404, "No public panelist has this slug.")
    if moved:
        _moved("api.panelist", panelist_slug=person.slug)
    return json_response(serialise.panelist_detail(person, public_panels_of(person)))


@bp.get("/<path:anything>")
def unknown(anything: str):
    """Anything else under ``/api/v1/`` is a JSON 404, not the site's page."""
    raise ApiError(404, "There is nothing at this address. See /api/v1/openapi.json for what there is.")
