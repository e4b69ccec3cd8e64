"""What a file of a rendition set is to the public: which view it belongs to, and whether
it is a download (a whole file) or part of a stream. The media route's rules read these."""

from __future__ import annotations

from ..events.models import View


def view_of_file(relpath: str) -> View:
    """Which view a file of a rendition set belongs to (``relpath`` under ``renditions/``).

    The media route uses this to refuse, to the public, every file of a view
    that a seated panelist did not agree to: the camera's poster and storyboard
    belong to "video" as much as its MP4s do.
    """
    first, _, rest = relpath.partition("/")
    if first == "flock":
        return View.FLOCK
    if first == "cartoon":
        return View.CARTOON
    if relpath in ("audio.m4a", "audio.mp3") or (first == "hls" and rest.startswith("audio/")):
        return View.AUDIO
    return View.VIDEO


#: Files of a rendition set that are a whole video or sound in one piece: the
#: downloads. HLS playlists and segments (their ``init.mp4`` included) live under ``hls/``.
PROGRESSIVE_SUFFIXES = (".mp4", ".m4v", ".m4a", ".mp3")


def is_progressive_file(relpath: str) -> bool:
    """Whether a file of a rendition set (``relpath`` under ``renditions/``) is one
    a visitor could save whole: an MP4 or audio file rather than part of a stream.

    With a panel's downloads off the public gets streams only, so these answer 404.
    """
    inside = relpath.removeprefix("flock/")
    return not inside.startswith("hls/") and inside.lower().endswith(PROGRESSIVE_SUFFIXES)
