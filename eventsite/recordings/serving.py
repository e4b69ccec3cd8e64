"""``/media/<key>``: renditions and portraits for everyone, the rest for organisers.

Rules, in the order they are checked:

- ``people/<id>/…`` images are public once that person sits on a public panel
  (panelists are public people; people of unpublished panels are not yet).
- ``recordings/<id>/renditions/<set>/…`` (see :mod:`.rendition_sets`) is public once the recording's panel is
  public, only for the panel's current recording (the one the player shows;
  an older take or a replaced upload stays with the organisers), and only for
  the views every seated panelist agreed to (a "bird only" panelist keeps the
  camera's MP4s, HLS, poster and storyboard away from the public). With the
  panel's downloads off, whole files (MP4s, the sound) are not public either:
  the public streams over HLS. Otherwise only organisers see it, and everyone
  else gets 404 (not 403, which would tell that the file exists).
- ``recordings/<id>/clips/<view>/…`` (quote clips) follows the same rule
  (public panel, current recording, the view the key names agreed to).
- anything else under ``recordings/<id>/`` — the original above all — is
  for organisers only, whatever the panel's status.
- everything else (``uploads/``, a job's ``.work-…`` folder and the like) is never served.

How the bytes go out depends on the store: the local store serves ranges
here (or hands them to nginx with ``MEDIA_ACCEL``); object storage answers
with a redirect, after the same check, to the public/CDN URL or a presigned
URL, and the bucket then answers ranges itself.
"""

from __future__ import annotations

import enum
from pathlib import PurePosixPath
from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, redirect

from ..events.loader import panelist_is_public
from ..events.models import Panel
from ..extensions import db
from ..storage import LocalMediaStore, StorageError, check_key, content_type_for, media_store
from .access import viewer_manages_event, viewer_may_read_private
from .models import Caption, Recording
from .player import current_recording_id, is_progressive_file, view_of_file
from .ranges import accel_response, file_response
from .rendition_sets import relpath_in_set

bp = Blueprint("media", __name__)

#: Rendition URLs stay the same when a recording is re-transcoded, its poster
#: changes or its panel is unpublished, so caches must revalidate (a cheap 304
#: thanks to the ETag) instead of serving a stale or withdrawn file for an hour.
PUBLIC_CACHE = "public, no-cache"
#: Organiser-only media must not sit in shared caches.
PRIVATE_CACHE = "private, no-cache"
#: Object storage: a presigned URL for published media lasts this long (the
#: redirect to it is kept only for MEDIA_AUTH_CACHE_SECONDS, so unpublishing takes hold).
PUBLIC_URL_SECONDS = 6 * 3600
#: Object storage: organiser-only media gets a short-lived URL, and the redirect is never stored.
PRIVATE_URL_SECONDS = 300
PRIVATE_REDIRECT_CACHE = "private, no-store"
STREAM_BLOCK = 256 * 1024
#: Stored text files that name other stored files by relative URL (HLS playlists, storyboard VTT).
NAMES_OTHER_FILES = (".m3u8", ".vtt")


class Audience(enum.Enum):
    PUBLIC = "public"
    ORGANISERS = "organisers"
    NOBODY = "nobody"


def media_audience(key: str) -> Audience:
    """Who may read the stored file ``key`` (see the module docstring)."""
    parts = PurePosixPath(key).parts
    if any(part.startswith(".") for part in parts):
        return Audience.NOBODY  # a job's work folder (storage.WORK_PREFIX) or a file being written
    if parts[0] == "people" and len(parts) > 2 and parts[1].isascii() and parts[1].isdigit():
        return Audience.PUBLIC if panelist_is_public(int(parts[1])) else Audience.ORGANISERS
    if parts[0] != "recordings" or len(parts) < 3 or not (parts[1].isascii() and parts[1].isdigit()):
        return Audience.NOBODY
    recording_id = int(parts[1])
    # One query for the recording's panel and its current recording: this runs
    # for every HLS segment a player fetches.
    row = db.session.execute(
        sa.select(Panel, current_recording_id(Panel.id)).join(Recording).where(Recording.id == recording_id)
    ).first()
    if row is None:
        return Audience.NOBODY
    panel, current = row
    if parts[2] == "renditions" and len(parts) > 3 and current == recording_id and panel.is_public():
        relpath = relpath_in_set(parts[3:])
        streamable = panel.downloads_enabled or not is_progressive_file(relpath)
        if streamable and view_of_file(relpath) in panel.public_views():
            return Audience.PUBLIC
    # Quote clips (recordings/<id>/clips/<view>/<clip>/…): the same rule, for the view the key names.
    if parts[2] == "clips" and len(parts) > 4 and current == recording_id and panel.is_public():
        if parts[3] in {view.value for view in panel.public_views()}:
            return Audience.PUBLIC
    return Audience.ORGANISERS


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
        if key.endswith(NAMES_OTHER_FILES) and not (public and store.url_for_public(key)):
            # A presigned URL signs one file: a playlist's segments (and a storyboard's
            # sprites), named relative to it, would resolve to unsigned URLs and be refused.
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

    Published media goes to ``MEDIA_PUBLIC_URL`` + key when that is set, else
    to a presigned URL, and the redirect may be cached for ``MEDIA_AUTH_CACHE_SECONDS``; organiser
    media gets a five-minute presigned URL and a redirect nobody stores.

    :raise 404: no such file.
    """
    store = media_store()
    if not store.exists(key):
        abort(404)
    content_type = content_type_for(key)
    if public:
        url = store.url_for_public(key) or store.presigned_url(key, PUBLIC_URL_SECONDS, content_type)
        # as long as nginx keeps a public answer (deploy/nginx-media-s3.conf): unpublishing
        # takes hold within EVENTSITE_MEDIA_AUTH_CACHE_SECONDS
        cache = f"public, max-age={int(current_app.config['MEDIA_AUTH_CACHE_SECONDS'])}"
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
    public = panel.is_public() and current == caption.recording_id
    if not public and not viewer_manages_event(panel.event_id):
        abort(404)
    return stored_file_response(
        caption.storage_key, "text/vtt; charset=utf-8", PUBLIC_CACHE if public else PRIVATE_CACHE
    )
