"""The clip job: claim the row, render, publish both files, always finish the row.

The same shape as ``jobs/transcode_job.py``: the ``Clip`` row is the truth
and the queue carries only its id; a worker claims the row with one
conditional UPDATE (``queued → running``), a watcher thread writes progress
and a heartbeat every second, and ``_finish`` in a ``finally`` leaves the
row ``ready`` or ``failed`` whatever happens. The clip is rendered in a
temporary folder; its MP4 and poster are moved into place under fresh
names, and only then does the row point at them, so nobody ever sees half
a clip.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import tempfile
import threading
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from huey import crontab

from .. import transcode
from ..database import utcnow
from ..extensions import db, queue
from ..jobs import runtime
from ..storage import media_store
from .models import Clip, ClipStatus
from .operations import source_rendition
from .render import ClipSpec, captions_in, render_clip

log = logging.getLogger(__name__)

#: Where a clip's files live: beside the recording's renditions, by view, so the
#: media route can tell from the key alone which consent the file needs.
CLIP_DIR = "recordings/{recording}/clips/{view}/{clip}"


def queue_clip(clip: Clip) -> None:
    """Hand a queued clip's id to the worker."""
    run_clip_job(clip.id)


# A fixed name, so clips queued before a deploy that moves this code still run after it.
@queue.task(name="eventsite.clip")
def run_clip_job(clip_id: int) -> None:
    """Render one clip by id (a queue task; a second delivery does nothing)."""
    with runtime.app.app_context():
        _run(clip_id)


@queue.periodic_task(crontab(minute="*"), name="eventsite.clips.housekeeping")
def clips_housekeeping() -> None:
    """Every minute: queue again the clips whose worker stopped (next to jobs.housekeeping)."""
    with runtime.app.app_context():
        count = requeue_stale_clips()
        if count:
            log.warning("re-queued %s quote clip(s) whose worker stopped", count)


def requeue_stale_clips() -> int:
    """Queue again the clips whose worker died mid-render (for the housekeeping task)."""
    stale_before = utcnow().timestamp() - runtime.app.config["JOB_STALE_SECONDS"]
    ids = [
        clip.id
        for clip in db.session.scalars(sa.select(Clip).where(Clip.status == ClipStatus.RUNNING))
        if clip.heartbeat_at is None or clip.heartbeat_at.timestamp() < stale_before
    ]
    requeued = [
        clip_id
        for clip_id in ids
        # Conditional, in case the worker was only slow and finishes now.
        if db.session.execute(
            sa.update(Clip)
            .where(Clip.id == clip_id, Clip.status == ClipStatus.RUNNING)
            .values(status=ClipStatus.QUEUED)
        ).rowcount
    ]
    db.session.commit()
    for clip_id in requeued:
        run_clip_job(clip_id)
    return len(requeued)


def _claim(clip_id: int) -> bool:
    return runtime.claim(Clip, clip_id, ClipStatus.QUEUED, ClipStatus.RUNNING)


class _Heartbeat(threading.Thread):
    """Writes the latest progress and a heartbeat once a second, off ffmpeg's reading thread."""

    def __init__(self, app: Flask, clip_id: int, interval: float = 1.0) -> None:
        super().__init__(daemon=True, name=f"clip-{clip_id}-heartbeat")
        self.app, self.clip_id, self.interval = app, clip_id, interval
        self.stop = threading.Event()
        self.latest: transcode.Progress | None = None

    def on_progress(self, progress: transcode.Progress) -> None:
        self.latest = progress

    def finish(self) -> None:
        self.stop.set()
        self.join()

    def run(self) -> None:
        with self.app.app_context():
            while not self.stop.wait(self.interval):
                values: dict = {"heartbeat_at": utcnow()}
                if self.latest is not None:
                    values["progress"] = min(self.latest.fraction, 0.99)
                try:
                    db.session.execute(sa.update(Clip).where(Clip.id == self.clip_id).values(**values))
                    db.session.commit()
                except sa.exc.OperationalError:
                    db.session.rollback()  # a busy database must not stop the render
                finally:
                    db.session.remove()


def _spec(clip: Clip, stack: contextlib.ExitStack) -> ClipSpec:
    """Gather the clip's facts for the renderer.

    :raise TranscodeError: the view is no longer allowed or made, or its file can't be read.
    """
    panel = clip.recording.panel
    if clip.view not in panel.public_views():
        raise transcode.TranscodeError("The panelists no longer agree to be shown this way.")
    rendition = source_rendition(clip.recording, clip.view)
    if rendition is None:
        raise transcode.TranscodeError("The version of the video this clip was cut from is not available any more.")
    # a rendition we made (not the upload), on this machine for ffmpeg while the stack lasts
    source = stack.enter_context(media_store().local_copy(rendition.storage_key))
    info = transcode.probe(source, timeout=runtime.app.config["UPLOAD_PROBE_TIMEOUT"])
    if info.video is None:
        raise transcode.TranscodeError("The version of the video this clip was cut from has no picture.")
    cues = [(q["start"], q["end"], q.get("speaker") or "", q["text"]) for q in clip.quote or []]
    return ClipSpec(
        source=source,
        demuxer=info.demuxer,
        source_width=info.video.display_width,
        source_height=info.video.display_height,
        has_audio=info.audio is not None,
        start=clip.start,
        end=min(clip.end, info.duration),
        shape=clip.shape,
        title=panel.title,
        event=panel.event.name,
        card_url=clip.card_url,
        site_name=runtime.app.config["SITE_NAME"],
        captions=captions_in(cues, clip.start, clip.end),
        short_side=int(runtime.app.config["CLIP_SHORT_SIDE"]),
    )


def _publish(clip: Clip, result) -> None:
    """Move the files into place under fresh names, then point the row at them."""
    store = media_store()
    folder = CLIP_DIR.format(recording=clip.recording_id, view=clip.view.value, clip=clip.id)
    token = secrets.token_hex(4)  # a new name per render, so no cache mixes an old file with a new one
    old = [key for key in (clip.video_key, clip.poster_key) if key]
    poster_key, video_key = f"{folder}/{token}.jpg", f"{folder}/{token}.mp4"
    store.adopt(result.poster, poster_key)
    store.adopt(result.video, video_key)
    clip.poster_key, clip.video_key = poster_key, video_key
    clip.width, clip.height, clip.duration_seconds = result.width, result.height, result.duration
    clip.size_bytes = store.size(video_key)
    db.session.commit()
    for key in old:
        store.delete(key)


def _run(clip_id: int) -> None:
    if not _claim(clip_id):
        log.info("clip %s is not queued any more; skipping this delivery", clip_id)
        return
    status, error, detail = ClipStatus.FAILED, "Rendering stopped unexpectedly. Ask for the clip again.", None
    heartbeat = _Heartbeat(runtime.app, clip_id)
    heartbeat.start()
    try:
        clip = db.session.get(Clip, clip_id)
        with contextlib.ExitStack() as stack:
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="eventsite-clip-"))
            spec = _spec(clip, stack)
            settings = runtime.transcode_settings()
            result = render_clip(spec, Path(workdir) / "out", on_progress=heartbeat.on_progress, settings=settings)
            _publish(clip, result)
        status, error = ClipStatus.READY, None
    except transcode.TranscodeError as exc:
        error, detail = exc.message, exc.detail
    except Exception:  # noqa: BLE001  (any bug must still end the row in a final state)
        log.exception("clip job %s crashed", clip_id)
    finally:
        heartbeat.finish()
        _finish(clip_id, status, error, detail)


def _finish(clip_id: int, status: ClipStatus, error: str | None, detail: str | None) -> None:
    db.session.rollback()  # drop whatever a failure left half-done; the publish committed already
    clip = db.session.get(Clip, clip_id)
    clip.status, clip.error, clip.stderr_tail, clip.finished_at = status, error, detail, utcnow()
    if status is ClipStatus.READY:
        clip.progress = 1.0
    db.session.commit()
