"""Where an HLS player starts: the master playlist and the variant and audio playlists it
fetches before its first segment, read once per rendition (for the page's preload hints)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import lru_cache

import m3u8

from ..storage import media_store
from ..transcode.quick import START_HEIGHT
from .media_urls import media_url

#: The tallest variant hls.js starts on (it adapts from there; 720p is what a bare <video> would get)
#: is START_HEIGHT, the rung a transcode publishes first when the upload must be encoded (first_rung).


@dataclass(frozen=True)
class HlsStart:
    """The playlists a player fetches before its first segment: the master, the
    variant it starts on (``height``) and the audio rendition's playlist."""

    height: int | None
    urls: tuple[str, ...]


def hls_start(rendition_id: int, key: str) -> HlsStart | None:
    """The start of an HLS master's playback, or None when its playlist can't be read."""
    store = media_store()
    try:
        height, keys = _start_keys(store.location, rendition_id, key)
    except (OSError, ValueError):
        return None
    return HlsStart(height, tuple(media_url(k) for k in keys))


@lru_cache(maxsize=512)
def _start_keys(location: str, rendition_id: int, key: str) -> tuple[int | None, tuple[str, ...]]:
    """Read a master playlist once per rendition (its files never change): the
    start variant's height and the keys of the master and the playlists it needs."""
    with media_store().open(key) as handle:
        master = m3u8.loads(handle.read(256 * 1024).decode("utf-8", "replace"))
    variants = [(p.stream_info.resolution or (0, 0), p.uri) for p in master.playlists if p.uri]
    if not variants:
        raise ValueError(f"{key}: no variants")
    # hls.js caps to the player's size; begin at the tallest variant not above START_HEIGHT.
    fitting = [v for v in variants if v[0][1] <= START_HEIGHT] or [min(variants)]
    (_, height), uri = max(fitting)
    folder = posixpath.dirname(key)
    uris = [uri, *(m.uri for m in master.media if m.type == "AUDIO" and m.uri)]
    return height or None, (key, *(posixpath.normpath(posixpath.join(folder, u)) for u in uris))
