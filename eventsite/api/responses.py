"""How every answer of the JSON API is shaped: pages, ETags, CORS and errors.

The API is read-only (GET, and the HEAD and OPTIONS that come with it), so
it needs no CSRF token and may be read from any origin: it only ever says
what the public pages already show.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..urls import absolute

#: Items per page when the client names no ``per_page``; and the most it may ask for.
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
#: Pages past this are refused: no list is that long, and the offset must fit the database's integers.
MAX_PAGE = 100_000
#: Lists change when organisers publish; a minute of staleness, then a cheap revalidation.
API_CACHE = "public, max-age=60"


class ApiError(HTTPException):
    """An error answered as JSON ``{"error": {"status", "message"}}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.code = status
        self.message = message

    def get_response(self, environ=None, scope=None) -> Response:
        return error_response(self.code, self.message)


def error_response(status: int, message: str) -> Response:
    response = jsonify(error={"status": status, "message": message})
    response.status_code = status
    return cors(response)


def cors(response: Response) -> Response:
    """Let pages on any origin read the answer (the API has nothing private to protect)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
    return response


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int


def _positive_int(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ApiError(400, f"{name} must be a whole number from 1 up.")
    return int(raw)


def page_request() -> PageRequest:
    """``?page=`` and ``?per_page=`` of the request; ``per_page`` above the cap counts as the cap.

    :raise ApiError 400: not a whole number from 1 up, or a page past :data:`MAX_PAGE`.
    """
    page = _positive_int("page", 1)
    if page > MAX_PAGE:
        raise ApiError(400, f"page must be at most {MAX_PAGE}.")
    per_page = min(_positive_int("per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    return PageRequest(page, per_page)


def paged(query, serialise_rows, wanted: PageRequest) -> Response:
    """One page of ``query``'s rows as ``{"items", "page", "per_page", "total", "pages", "next", "prev"}``,
    with a ``Link`` header (RFC 8288) naming the next, previous, first and last pages.

    :param serialise_rows: the page's rows → their JSON objects (one call, so
        it may look up what the whole page needs at once).
    """
    result = db.paginate(query, page=wanted.page, per_page=wanted.per_page, error_out=False, count=True)
    pages = max(result.pages, 1)

    def link(page: int) -> str:
        other = {k: v for k, v in request.args.items() if k not in ("page", "per_page", *request.view_args)}
        args = {**request.view_args, "page": page, "per_page": wanted.per_page, **other}
        return absolute(url_for(request.endpoint, **args))

    following = link(wanted.page + 1) if wanted.page < result.pages else None
    previous = link(min(wanted.page - 1, pages)) if wanted.page > 1 else None
    body = {
        "items": serialise_rows(list(result.items)),
        "page": wanted.page,
        "per_page": wanted.per_page,
        "total": result.total,
        "pages": pages,
        "next": following,
        "prev": previous,
    }
    links = {"next": following, "prev": previous, "first": link(1), "last": link(pages)}
    response = json_response(body)
    response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    return response


def json_response(body: dict) -> Response:
    """``body`` as JSON with an ETag, answered 304 when the client's copy is current."""
    response = jsonify(body)
    response.headers["Cache-Control"] = API_CACHE
    response.add_etag()
    cors(response)
    return response.make_conditional(request)
