"""``/_media_auth/media/<key>``: the media access rule as an answer for nginx's ``auth_request``.

Behind the shipped nginx configuration (``deploy/nginx.conf``) nginx sends
media bytes itself: for each ``/media/<key>`` request it asks this endpoint
whether the visitor may have the file, caches a *public* answer for a minute,
and then serves the file from the media folder with the Cache-Control this
answer names. No Python runs per segment once a file is known to be public;
drafts and other organiser-only files are checked on every request (their
answers are private, so nginx never caches them). The rule itself is
``audience.media_audience``, the same one ``/media/<key>`` applies.

Answers: 204 (allowed) or 403 (not allowed, or no such key; nginx turns it
into a 404, so nobody learns that a file exists).
"""

from __future__ import annotations

from flask import Response, current_app

from ..storage import StorageError, check_key
from .access import viewer_may_read_private
from .audience import Audience, media_audience
from .serving import PRIVATE_CACHE, PUBLIC_CACHE, bp


@bp.route("/_media_auth/media/<path:key>")
def media_auth(key: str) -> Response:
    try:
        check_key(key)
    except StorageError:
        return Response(status=403)
    audience = media_audience(key)
    if audience is Audience.PUBLIC:
        # Decided without the session, so the answer carries no Vary: Cookie and one cache entry serves everyone.
        seconds = int(current_app.config["MEDIA_AUTH_CACHE_SECONDS"])
        response = Response(status=204)
        response.headers["Cache-Control"] = f"public, max-age={seconds}"
        response.headers["X-Media-Cache-Control"] = PUBLIC_CACHE
        return response
    if audience is Audience.ORGANISERS and viewer_may_read_private(key):
        response = Response(status=204)
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Media-Cache-Control"] = PRIVATE_CACHE
        return response
    response = Response(status=403)
    response.headers["Cache-Control"] = "private, no-store"
    return response
