"""URLs of stored media under the media route (files and caption tracks), for pages, feeds and the API."""

from __future__ import annotations

from flask import url_for

from .models import Caption


def media_url(key: str, *, external: bool = False) -> str:
    """URL of a stored file under the media route."""
    return url_for("media.media", key=key, _external=external)


def caption_url(caption: Caption, *, external: bool = False) -> str:
    return url_for("media.caption_file", caption_id=caption.id, _external=external)
