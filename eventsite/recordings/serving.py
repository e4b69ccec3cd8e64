"""``/media/<key>``: renditions and portraits for everyone, the rest for organisers.

Who may read which file is :mod:`.audience`'s rule; a file nobody but organisers
may read answers 404 to everyone else (not 403, which would tell that it exists).

How the bytes go out depends on the store: the local store serves ranges
here (or hands them to nginx with ``MEDIA_ACCEL``); object storage answers
with a redirect, after the same check, to the file's public copy (a public
bucket folder or a CDN in front of it) or a presigned URL, and the bucket then answers ranges itself.
"""

from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, redirect

from ..extensions import db
from ..storage import LocalMediaStore, StorageError, check_key, content_type_for, media_store
from .access import viewer_manages_event, viewer_may_read_private
from .audience import Audience, media_audience
from .current import current_recording_id
from .models import Caption, CaptionSource, Recording
from .public_copies import NAMES_OTHER_FILES, NoLongerPublic, public_copy_url
from .ranges import accel_response, file_response

bp = Blueprint("media", __name__)

#: Rendition URLs stay the same when a recording is re-transcoded, its poster
#: changes or its panel is unpublished, so caches must revalidate (a cheap 304
#: thanks to the ETag) instead of serving a stale or withdrawn file for an hour.
PUBLIC_CACHE = "public, no-cache"
#: Organiser-only media must not sit in shared caches.
PRIVATE_CACHE = "private, no-cache"
#: Object storage: organiser-only media gets a short-lived URL, and the redirect is never stored.
PRIVATE_URL_SECONDS = 300
PRIVATE_REDIRECT_CACHE = "private, no-store"
STREAM_BLOCK = 256 * 1024


@bp.route("/media/<path:key>")
def media(key: str) -> Response:
    """Serve a stored file with byte ranges, to those allowed to see it.

    :raise 404: unsafe key, missing file, or a file this visitor may not see.
    """
    try:
        check_key(key)
    except StorageError:
        abort(404)
    audience = media_audience(key)
    if audience is Audience.NOBODY or (audience is Audience.ORGANISERS and not viewer_may_read_private(key)):
        abort(404)
    public = audience is Audience.PUBLIC
    store = media_store()
    if not isinstance(store, LocalMediaStore):
        if key.endswith(NAMES_OTHER_FILES):
            # A presigned URL signs one file: a playlist's segments (and a storyboard's
            # sprites), named relative to it, would resolve to unsigned URLs and be refused;
            # and a public copy of a playlist would send players to segments no one checked.
            # So these small files come through here, and what they name is redirected.
            return stored_file_response(key, content_type_for(key), PUBLIC_CACHE if public else PRIVATE_CACHE)
        return redirect_to_store(key, public)
    path = store.path(key)
    if not path.is_file():
        abort(404)
    cache = PUBLIC_CACHE if public else PRIVATE_CACHE
    accel = current_app.config.get("MEDIA_ACCEL")
    if accel:
        return accel_response(accel.rstrip("/") + "/" + quote(key), content_type_for(key), cache)
    return file_response(path, content_type_for(key), cache)


def redirect_to_store(key: str, public: bool) -> Response:
    """A 302 to where object storage serves ``key`` (ranges and all), for a
    visitor already allowed to see it.

    Published media goes to its public copy (``MEDIA_PUBLIC_URL`` + ``public/`` + key,
    see :mod:`.public_copies`) when that is set, else to a presigned URL good for
    ``MEDIA_AUTH_CACHE_SECONDS`` + ``MEDIA_URL_SECONDS``, and the redirect may be cached
    for ``MEDIA_AUTH_CACHE_SECONDS``; organiser media gets a five-minute
    presigned URL and a redirect nobody stores.

    :raise 404: no such file, or one hidden while its public copy was made.
    """
    store = media_store()
    content_type = content_type_for(key)
    try:
        copy_url = public_copy_url(key) if public else None
    except (StorageError, NoLongerPublic):
        abort(404)
    if copy_url is None and not store.exists(key):
        abort(404)
    if public:
        # as long as nginx keeps a public answer (deploy/nginx-media-s3.conf)
        reuse = int(current_app.config["MEDIA_AUTH_CACHE_SECONDS"])
        # A URL handed out can't be taken back: unpublishing or a withdrawn consent takes hold
        # on the bucket within reuse + MEDIA_URL_SECONDS.
        lifetime = reuse + int(current_app.config["MEDIA_URL_SECONDS"])
        url = copy_url or store.presigned_url(key, lifetime, content_type)
        cache = f"public, max-age={reuse}"
    else:
        url = store.presigned_url(key, PRIVATE_URL_SECONDS, content_type)
        cache = PRIVATE_REDIRECT_CACHE
    response = redirect(url, 302)
    response.headers["Cache-Control"] = cache
    return response


def stored_file_response(key: str, content_type: str, cache_control: str) -> Response:
    """Serve a (small) stored file through the app from any store: ranges from
    the local store, a plain stream from object storage (captions, portraits,
    guides: files fetched whole, where a redirect would need CORS on the bucket).

    :raise 404: unsafe key or no such file.
    """
    store = media_store()
    try:
        if isinstance(store, LocalMediaStore):
            path = store.path(key)
            if not path.is_file():
                abort(404)
            return file_response(path, content_type, cache_control)
        size = store.size(key)
        handle = store.open(key)
    except StorageError:
        abort(404)

    def blocks():
        with handle:
            while block := handle.read(STREAM_BLOCK):
                yield block

    headers = {"Cache-Control": cache_control, "Content-Length": str(size), "X-Content-Type-Options": "nosniff"}
    return Response(blocks(), headers=headers, content_type=content_type, direct_passthrough=True)


@bp.route("/captions/<int:caption_id>.vtt")
def caption_file(caption_id: int):
    """A caption track; public with its panel's current recording, else for organisers only.

    :raise 404: unknown caption, or one this visitor may not see.
    """
    caption = db.session.get(Caption, caption_id)
    if caption is None:
        abort(404)
    panel = db.session.get(Recording, caption.recording_id).panel
    current = db.session.scalar(sa.select(current_recording_id(panel.id)))
    # an unchecked draft of a panel that keeps drafts in the studio is for organisers only
    draft_kept = caption.source is CaptionSource.AUTOMATIC and not panel.drafts_public
    public = panel.is_public() and current == caption.recording_id and not draft_kept
    if not public and not viewer_manages_event(panel.event_id):
        abort(404)
    return stored_file_response(
        caption.storage_key, "text/vtt; charset=utf-8", PUBLIC_CACHE if public else PRIVATE_CACHE
    )
