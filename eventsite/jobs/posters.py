"""The poster frame an organiser picks, taken from the original with ffmpeg."""

from __future__ import annotations

import os

from .. import transcode
from ..extensions import db
from ..recordings.models import Recording, RenditionKind
from ..storage import media_store
from .transcode_job import JobRefused


def choose_poster(recording: Recording, seconds: float) -> None:
    """Replace the recording's poster with the frame around ``seconds``.

    The new JPEG is written beside the old one and renamed over it, so the
    page never serves half a file; the time is kept for later re-transcodes.

    :raise JobRefused: the recording has no poster yet (not transcoded, or audio only).
    :raise TranscodeError: ffmpeg could not take the frame.
    """
    poster = next((r for r in recording.renditions if r.kind is RenditionKind.POSTER), None)
    video = (recording.probe or {}).get("video")
    if poster is None or not video:
        raise JobRefused("This recording has no video frames to take a poster from yet.")
    target = media_store().path(poster.storage_key)
    partial = target.with_name(f".{target.name}.new.jpg")
    try:
        transcode.take_poster(
            media_store().path(recording.original_key),
            partial,
            seconds,
            demuxer=recording.probe["demuxer"],
            width=poster.width,
            height=poster.height,
            fps=video.get("fps") or 30.0,
            video_index=video.get("index"),
            duration=recording.duration_seconds,
        )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    poster.size_bytes = target.stat().st_size
    recording.poster_time = seconds
    db.session.commit()
