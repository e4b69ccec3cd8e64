"""The OpenAPI 3.1 document of ``/api/v1/``, kept beside the code it describes.

Schemas are flat objects with ``additionalProperties: false``: a field the
serialisers add without describing it here fails the schemathesis test
(tests/api/test_schema.py), so nothing reaches the public unreviewed.
"""

from __future__ import annotations

from functools import cache

from flask import current_app

from ..events.models import SeatRole, View
from ..urls import absolute_for

STRING = {"type": "string"}
URL = {"type": "string", "format": "uri"}
INT = {"type": "integer", "minimum": 0}


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def _obj(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(item: dict) -> dict:
    return {"type": "array", "items": item}


EVENT_SUMMARY = {
    "slug": STRING,
    "name": STRING,
    "starts_on": _nullable({"type": "string", "format": "date"}),
    "ends_on": _nullable({"type": "string", "format": "date"}),
    "place": STRING,
    "host_organisation": STRING,
    "url": URL,
    "api_url": URL,
    "feed_url": {**URL, "description": "The event's Atom feed of published panels."},
    "podcast_url": {**URL, "description": "The event's podcast (RSS 2.0, iTunes and Podcasting 2.0 tags)."},
    "panel_count": {**INT, "description": "Listed panels of the event."},
}
PERSON = {
    "slug": STRING,
    "name": STRING,
    "headline": STRING,
    "portrait_url": {**URL, "description": "Their photo, or their bird when they have none."},
    "url": URL,
    "api_url": URL,
}
SEAT = {**PERSON, "role": {"type": "string", "enum": [r.value for r in SeatRole]}}
PANEL_SUMMARY = {
    "slug": STRING,
    "title": STRING,
    "event": _obj({"slug": STRING, "name": STRING}),
    "starts_at": _nullable({"type": "string", "format": "date-time"}),
    "venue": STRING,
    "published_at": _nullable({"type": "string", "format": "date-time"}),
    "duration": _nullable({"type": "number", "minimum": 0, "description": "Seconds."}),
    "poster_url": _nullable(URL),
    "panelists": _list(_ref("Seat")),
    "url": URL,
    "api_url": URL,
}
MEDIA = {
    "duration": _nullable({"type": "number", "minimum": 0}),
    "duration_clock": _nullable({**STRING, "examples": ["1:02:03"]}),
    "default_view": {"type": "string", "enum": [v.value for v in View]},
    "poster_url": _nullable(URL),
    "views": _list(
        _obj(
            {
                "view": {"type": "string", "enum": [v.value for v in View]},
                "label": STRING,
                "hls_url": _nullable({**URL, "description": "HLS master playlist."}),
                "file_url": _nullable(URL),
            },
            "A way to watch the panel that every seated panelist agreed to.",
        )
    ),
    "downloads": _list(
        _obj(
            {
                "label": STRING,
                "type": STRING,
                "size_bytes": INT,
                "width": _nullable(INT),
                "height": _nullable(INT),
                "url": URL,
            }
        )
    ),
    "captions": _list(_obj({"language": STRING, "label": STRING, "url": {**URL, "description": "WebVTT."}})),
    "chapters": _list(
        _obj(
            {
                "start": {"type": "number", "minimum": 0},
                "clock": STRING,
                "title": STRING,
                "panelist": _nullable({**STRING, "description": "Slug of the panelist speaking."}),
                "url": URL,
            }
        )
    ),
    "chapters_url": _nullable({**URL, "description": "Podcasting 2.0 JSON chapters."}),
}
COMMENT = {
    "id": INT,
    "parent_id": _nullable({**INT, "description": "Set only when the parent is public too."}),
    "author_name": STRING,
    "author_website": _nullable(URL),
    "badge": _nullable({**STRING, "examples": ["Organiser"]}),
    "body_html": {**STRING, "description": "Sanitised HTML."},
    "video_time": _nullable({"type": "number", "minimum": 0, "description": "Moment of the video, in seconds."}),
    "created_at": {"type": "string", "format": "date-time"},
    "edited_at": _nullable({"type": "string", "format": "date-time"}),
    "url": URL,
}

SCHEMAS = {
    "Error": _obj({"error": _obj({"status": {"type": "integer"}, "message": STRING})}),
    "EventSummary": _obj(EVENT_SUMMARY),
    "Event": _obj({**EVENT_SUMMARY, "description_html": STRING, "panels": _list(_ref("PanelSummary"))}),
    "Person": _obj(PERSON),
    "Seat": _obj(SEAT),
    "PanelSummary": _obj(PANEL_SUMMARY),
    "Panel": _obj(
        {
            **PANEL_SUMMARY,
            "abstract_html": STRING,
            "credits": _list(STRING),
            "comments_open": {"type": "boolean"},
            "comment_count": INT,
            "view_count": INT,
            "embed_url": URL,
            "comments_url": URL,
            "media": {"oneOf": [_ref("Media"), {"type": "null"}]},
        }
    ),
    "Media": _obj(MEDIA, "The ready recording, as the player offers it to the public."),
    "Panelist": _obj({**PERSON, "bio_html": STRING, "links": _list(STRING), "panels": _list(_ref("PanelSummary"))}),
    "Comment": _obj(COMMENT),
}


def _page_of(item: str) -> dict:
    return _obj(
        {
            "items": _list(_ref(item)),
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": INT,
            "pages": {"type": "integer", "minimum": 1},
            "next": _nullable(URL),
            "prev": _nullable(URL),
        }
    )


HEADERS = {
    "ETag": {"description": "Send it back in If-None-Match to get 304 when nothing changed.", "schema": STRING},
    "Access-Control-Allow-Origin": {"schema": {"type": "string", "const": "*"}},
}
PAGE_HEADERS = {**HEADERS, "Link": {"description": "RFC 8288 links: next, prev, first, last.", "schema": STRING}}
PAGING_PARAMETERS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1}},
    {
        "name": "per_page",
        "in": "query",
        "description": "Items per page; more than 100 counts as 100.",
        "schema": {"type": "integer", "minimum": 1, "default": 20},
    },
]


def _slug(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    answer = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


ERROR = _ref("Error")
NOT_MODIFIED = {"description": "The copy named in If-None-Match is current."}
MOVED = {"description": "An old slug: the same resource at its current address (Location)."}


def _get(summary: str, ok: dict, *, parameters=(), errors=(404,), moved=False) -> dict:
    responses = {"200": ok, "304": NOT_MODIFIED}
    if moved:
        responses["301"] = MOVED
    for code in errors:
        responses[str(code)] = _json(ERROR, {400: "Bad paging parameters.", 404: "Not found, or not public."}[code])
    return {"get": {"summary": summary, "parameters": list(parameters), "responses": responses}}


def _paths() -> dict:
    event, panel, person = _slug("event_slug"), _slug("panel_slug"), _slug("panelist_slug")
    return {
        "/events": _get(
            "Every public event (one with a public panel), newest first",
            _json(_page_of("EventSummary"), "A page of events.", PAGE_HEADERS),
            parameters=PAGING_PARAMETERS,
            errors=(400,),
        ),
        "/events/{event_slug}": _get(
            "An event and its listed panels in programme order",
            _json(_ref("Event"), "The event.", HEADERS),
            parameters=[event],
            moved=True,
        ),
        "/events/{event_slug}/panels/{panel_slug}": _get(
            "A public panel (listed or unlisted) with its media, captions, chapters and panelists",
            _json(_ref("Panel"), "The panel.", HEADERS),
            parameters=[event, panel],
            moved=True,
        ),
        "/events/{event_slug}/panels/{panel_slug}/comments": _get(
            "A public panel's approved comments, oldest first",
            _json(_page_of("Comment"), "A page of comments.", PAGE_HEADERS),
            parameters=[event, panel, *PAGING_PARAMETERS],
            errors=(400, 404),
            moved=True,
        ),
        "/panels": _get(
            "Listed panels, newest published first",
            _json(_page_of("PanelSummary"), "A page of panels.", PAGE_HEADERS),
            parameters=PAGING_PARAMETERS,
            errors=(400,),
        ),
        "/panelists": _get(
            "People on listed panels, by name",
            _json(_page_of("Person"), "A page of panelists.", PAGE_HEADERS),
            parameters=PAGING_PARAMETERS,
            errors=(400,),
        ),
        "/panelists/{panelist_slug}": _get(
            "A panelist and their listed panels",
            _json(_ref("Panelist"), "The panelist.", HEADERS),
            parameters=[person],
            moved=True,
        ),
    }


@cache
def _document(site_name: str, server: str) -> dict:
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": f"{site_name} API",
            "version": "1.0.0",
            "description": (
                "Read-only JSON about the published conference panels of this site: events, panels "
                "(with the media, captions and chapters the public may see), panelists and approved "
                "comments. Anyone may read it from any origin; answers carry an ETag for If-None-Match. "
                "It shows exactly what the public pages show: never e-mail addresses, drafts, held "
                "comments or views a panelist did not agree to."
            ),
        },
        "servers": [{"url": server}],
        "paths": _paths(),
        "components": {"schemas": SCHEMAS},
    }


def openapi_document() -> dict:
    """The document, with this site's name and API address."""
    server = absolute_for("api.docs").rstrip("/")
    return _document(current_app.config["SITE_NAME"], server)
