"""The poster frame an organiser picks, taken from the original with ffmpeg.

The work and its queue task; :func:`eventsite.jobs.enqueue.queue_poster` checks
the choice (:func:`poster_refusal`) and queues it, like every other job.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from .. import transcode
from ..extensions import db, queue
from ..recordings.models import Recording, RenditionKind
from ..storage import media_store
from ..times import clock
from . import runtime

log = logging.getLogger(__name__)


def poster_refusal(recording: Recording, seconds: float | None = None) -> str | None:
    """Why no poster can be taken from ``recording`` (at ``seconds``), in plain words; None when one can."""
    if _poster(recording) is None or not (recording.probe or {}).get("video"):
        return "This recording has no video frames to take a poster from yet."
    if seconds is not None and recording.duration_seconds and seconds > recording.duration_seconds:
        return f"The recording ends at {clock(recording.duration_seconds)}; please choose an earlier moment."
    return None


def _poster(recording: Recording):
    return next((r for r in recording.renditions if r.kind is RenditionKind.POSTER), None)


def choose_poster(recording: Recording, seconds: float) -> None:
    """Replace the recording's poster with the frame around ``seconds``.

    The new JPEG is made in a temporary folder and then stored over the old
    one (the store replaces a file whole, so the page never serves half a
    file); the time is kept for later re-transcodes.

    :raise TranscodeError: no poster to replace (not transcoded, or audio only), or ffmpeg
        could not take the frame.
    """
    if (why := poster_refusal(recording)) is not None:
        raise transcode.TranscodeError(why)
    poster, video = _poster(recording), recording.probe["video"]
    store = media_store()
    with tempfile.TemporaryDirectory(prefix="eventsite-poster-") as scratch:
        partial = Path(scratch) / "poster.jpg"
        with store.local_copy(recording.original_key) as source:
            transcode.take_poster(
                source,
                partial,
                seconds,
                demuxer=recording.probe["demuxer"],
                width=poster.width,
                height=poster.height,
                fps=video.get("fps") or 30.0,
                video_index=video.get("index"),
                duration=recording.duration_seconds,
            )
        with partial.open("rb") as frame:
            poster.size_bytes = store.save(poster.storage_key, frame)
    recording.poster_time = seconds
    db.session.commit()


# In a worker, not the request: ffmpeg seeks in the original (gigabytes, maybe
# on another machine) and a web worker would be tied up meanwhile.
@queue.task()
def render_poster(recording_id: int, seconds: float) -> None:
    """Take the chosen frame; a failure leaves the old poster and is logged."""
    with runtime.app.app_context():
        recording = db.session.get(Recording, recording_id)
        if recording is None:
            return  # deleted meanwhile
        try:
            choose_poster(recording, seconds)
        except transcode.TranscodeError as exc:
            log.warning("poster for recording %s at %.2f s failed: %s", recording_id, seconds, exc)
