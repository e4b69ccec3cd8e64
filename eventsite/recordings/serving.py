"""``/media/<key>``: renditions and portraits for everyone, the rest for organisers.

Rules, in the order they are checked:

- ``people/…`` images are public (panelists are public people).
- ``recordings/<id>/renditions/…`` is public once the recording's panel is
  public, and only for the views every seated panelist agreed to (a "bird
  only" panelist keeps the camera's MP4s, HLS, poster and storyboard away
  from the public); otherwise only organisers see it, and everyone else gets
  404 (not 403, which would tell that the file exists).
- anything else under ``recordings/<id>/`` — the original above all — is
  for organisers only, whatever the panel's status.
- everything else (``uploads/`` and the like) is never served.
"""

from __future__ import annotations

import enum
from pathlib import PurePosixPath
from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app

from ..events.loader import may_see
from ..events.models import Panel
from ..extensions import db
from ..storage import StorageError, check_key, media_store
from .access import viewer_is_organiser
from .models import Caption, Recording
from .player import view_of_file
from .ranges import accel_response, file_response

bp = Blueprint("media", __name__)

#: Types by extension; written out rather than read from the system's mime.types,
#: which varies between machines and lacks m3u8/m4s on many.
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".m4a": "audio/mp4",
    ".m4s": "video/iso.segment",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mpd": "application/dash+xml",
    ".ts": "video/mp2t",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".mov": "video/quicktime",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".json": "application/json",
}
#: Rendition URLs stay the same when a recording is re-transcoded, its poster
#: changes or its panel is unpublished, so caches must revalidate (a cheap 304
#: thanks to the ETag) instead of serving a stale or withdrawn file for an hour.
PUBLIC_CACHE = "public, no-cache"
#: Organiser-only media must not sit in shared caches.
PRIVATE_CACHE = "private, no-cache"


class Audience(enum.Enum):
    PUBLIC = "public"
    ORGANISERS = "organisers"
    NOBODY = "nobody"


def media_audience(key: str) -> Audience:
    """Who may read the stored file ``key`` (see the module docstring)."""
    parts = PurePosixPath(key).parts
    if parts[0] == "people" and len(parts) > 1:
        return Audience.PUBLIC
    if parts[0] != "recordings" or len(parts) < 3 or not (parts[1].isascii() and parts[1].isdigit()):
        return Audience.NOBODY
    # One query for the recording's panel: this runs for every HLS segment a player fetches.
    panel = db.session.scalar(sa.select(Panel).join(Recording).where(Recording.id == int(parts[1])))
    if panel is None:
        return Audience.NOBODY
    if parts[2] == "renditions" and len(parts) > 3 and panel.is_public():
        if view_of_file("/".join(parts[3:])) in panel.public_views():
            return Audience.PUBLIC
    return Audience.ORGANISERS


def content_type_for(key: str) -> str:
    return CONTENT_TYPES.get(PurePosixPath(key).suffix.lower(), "application/octet-stream")


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
    if audience is Audience.NOBODY or (audience is Audience.ORGANISERS and not viewer_is_organiser()):
        abort(404)
    path = media_store().path(key)
    if not path.is_file():
        abort(404)
    cache = PUBLIC_CACHE if audience is Audience.PUBLIC else PRIVATE_CACHE
    accel = current_app.config.get("MEDIA_ACCEL")
    if accel:
        return accel_response(accel.rstrip("/") + "/" + quote(key), content_type_for(key), cache)
    return file_response(path, content_type_for(key), cache)


@bp.route("/captions/<int:caption_id>.vtt")
def caption_file(caption_id: int):
    """A caption track; public with its panel, else for organisers only.

    :raise 404: unknown caption, or a panel this visitor may not see.
    """
    caption = db.session.get(Caption, caption_id)
    if caption is None:
        abort(404)
    panel = db.session.get(Recording, caption.recording_id).panel
    if not may_see(panel):
        abort(404)
    public = panel.is_public()
    try:
        path = media_store().path(caption.storage_key)
    except StorageError:
        abort(404)
    if not path.is_file():
        abort(404)
    return file_response(path, "text/vtt; charset=utf-8", PUBLIC_CACHE if public else PRIVATE_CACHE)
