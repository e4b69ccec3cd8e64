"""One transcode job: queue it, claim it, watch it, run it, always finish it."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import socket
import threading
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from .. import search, transcode
from ..database import utcnow
from ..events.artwork import panel_artwork
from ..extensions import db, queue
from ..recordings import rendition_sets
from ..recordings.models import (
    JobKind,
    JobStatus,
    Recording,
    RecordingStatus,
    Rendition,
    RenditionKind,
    TranscodeJob,
)
from ..storage import media_store
from ..transcripts.job import make_captions, queue_auto_captions
from . import runtime
from .flock_job import make_flock, queue_flock

log = logging.getLogger(__name__)
_HOST = socket.gethostname()


class JobRefused(Exception):
    """A job request that cannot be done now, in plain words."""


def active_job(recording: Recording) -> TranscodeJob | None:
    """The recording's queued or running job, if any."""
    return db.session.scalar(
        sa.select(TranscodeJob).where(
            TranscodeJob.recording_id == recording.id,
            TranscodeJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
    )


def queue_transcode(recording: Recording) -> TranscodeJob:
    """Create a queued job for ``recording`` and hand its id to the queue.

    One job per recording at a time, so two runs never race to publish.

    :raise JobRefused: the recording already has a queued or running job.
    """
    if active_job(recording) is not None:
        raise JobRefused("This recording is already being processed.")
    job = TranscodeJob(kind=JobKind.TRANSCODE, status=JobStatus.QUEUED)
    recording.jobs.append(job)
    if recording.status is not RecordingStatus.READY:
        recording.status = RecordingStatus.PROCESSING
    db.session.commit()
    run_transcode_job(job.id)
    return job


def cancel_job(job: TranscodeJob) -> None:
    """Stop a job: a queued one at once, a running one within a second or so.

    A running job is only *asked* to stop (``cancel_requested``); its worker
    kills ffmpeg and writes the final state, so the row never claims
    "cancelled" while ffmpeg is still writing files.
    """
    cancelled = db.session.execute(
        sa.update(TranscodeJob)
        .where(TranscodeJob.id == job.id, TranscodeJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.CANCELLED, finished_at=utcnow(), error="Cancelled by an organiser.")
    ).rowcount
    if not cancelled:
        db.session.execute(
            sa.update(TranscodeJob)
            .where(TranscodeJob.id == job.id, TranscodeJob.status == JobStatus.RUNNING)
            .values(cancel_requested=True)
        )
    db.session.commit()
    db.session.refresh(job)
    recording = job.recording
    if cancelled and recording.status is RecordingStatus.PROCESSING:
        recording.status = RecordingStatus.READY if recording.renditions else RecordingStatus.FAILED
        db.session.commit()


def _claim(job_id: int) -> bool:
    """Move the job from queued to running in one statement; False if someone else has it."""
    return runtime.claim(TranscodeJob, job_id, JobStatus.QUEUED, JobStatus.RUNNING)


class _Watcher(threading.Thread):
    """Writes progress and a heartbeat every second; turns a cancel request into an event.

    The first progress report is written at once rather than at the next beat,
    so the studio shows movement as soon as ffmpeg has any.
    """

    def __init__(self, app: Flask, job_id: int, interval: float = 1.0) -> None:
        super().__init__(daemon=True, name=f"job-{job_id}-watcher")
        self.app, self.job_id, self.interval = app, job_id, interval
        self.cancel = threading.Event()
        self.stop = threading.Event()
        self._wake = threading.Event()
        self.latest: transcode.Progress | None = None

    def on_progress(self, progress: transcode.Progress) -> None:
        first = self.latest is None
        self.latest = progress  # written by the watcher, so ffmpeg's reader never waits on the database
        if first:
            self._wake.set()

    def finish(self) -> None:
        self.stop.set()
        self._wake.set()
        self.join()

    def run(self) -> None:
        with self.app.app_context():
            while True:
                self._wake.wait(self.interval)
                self._wake.clear()
                if self.stop.is_set():
                    return
                self.beat()

    def beat(self) -> None:
        values: dict = {"heartbeat_at": utcnow()}
        if (p := self.latest) is not None:
            values.update(progress=min(p.fraction, 1.0), speed=p.speed, eta_seconds=p.eta_seconds)
        try:
            db.session.execute(sa.update(TranscodeJob).where(TranscodeJob.id == self.job_id).values(**values))
            db.session.commit()
            if db.session.scalar(sa.select(TranscodeJob.cancel_requested).where(TranscodeJob.id == self.job_id)):
                self.cancel.set()
        except sa.exc.OperationalError:
            db.session.rollback()  # a busy database must not kill the job; the next beat retries
        finally:
            db.session.remove()


def _plan_for(recording: Recording, info: transcode.MediaInfo, workdir: Path) -> transcode.Plan:
    cfg = runtime.app.config
    # Audio-only talks still get a picture: the panel's title card as a still video.
    artwork = str(panel_artwork(recording.panel, workdir / "artwork.png")) if info.video is None else None
    plan = transcode.plan_renditions(
        info,
        ladder=tuple(cfg["TRANSCODE_LADDER"]),
        cartoon=recording.panel.cartoon_enabled,
        cartoon_height=cfg["CARTOON_HEIGHT"],
        artwork=artwork,
    )
    if recording.poster_time is not None and plan.poster_time is not None:
        # Keep the organiser's chosen poster frame across re-transcodes.
        plan = dataclasses.replace(plan, poster_time=min(recording.poster_time, info.duration))
    return plan


def _store_outputs(recording: Recording, outputs: list[transcode.RenditionOutput], base: str) -> None:
    """Replace the recording's rendition rows with the set just published under ``base``."""
    recording.renditions.clear()
    db.session.flush()
    for out in outputs:
        recording.renditions.append(
            Rendition(
                kind=RenditionKind(out.kind),
                label=out.label,
                width=out.width or None,
                height=out.height or None,
                bitrate=out.bitrate or None,
                storage_key=f"{base}/{out.relpath}",
                size_bytes=out.size_bytes,
            )
        )


# A fixed name, so jobs queued before a deploy that moves this code still run after it.
@queue.task(name="eventsite.transcode")
def run_transcode_job(job_id: int) -> None:
    """Run one transcode job by id (a queue task; safe to deliver twice)."""
    with runtime.app.app_context():
        _run(job_id)


def _run(job_id: int) -> None:
    if not _claim(job_id):
        log.info("job %s is not queued any more; skipping this delivery", job_id)
        return
    job = db.session.get(TranscodeJob, job_id)
    recording = job.recording
    # Which node ran what: with several workers this is where an operator looks.
    log.info("job %s (%s, recording %s) started on %s pid %s", job_id, job.kind.value, recording.id, _HOST, os.getpid())
    status, error, detail, notes = JobStatus.FAILED, "The transcoder stopped unexpectedly.", None, None
    watcher = _Watcher(runtime.app, job_id)
    watcher.start()
    stack = contextlib.ExitStack()
    try:
        if job.kind is JobKind.FLOCK:
            notes = make_flock(job, watcher)
            status, error = JobStatus.SUCCEEDED, None
            return
        if job.kind in (JobKind.CAPTIONS, JobKind.ALIGN):
            notes = make_captions(job, watcher)
            status, error = JobStatus.SUCCEEDED, None
            return
        store = media_store()
        source = stack.enter_context(store.local_copy(recording.original_key))
        info = transcode.probe(source, timeout=runtime.app.config["UPLOAD_PROBE_TIMEOUT"])
        work = stack.enter_context(store.work_dir(rendition_sets.renditions_prefix(recording.id)))
        outputs = transcode.transcode(
            source,
            work / "set",
            _plan_for(recording, info, work),
            on_progress=watcher.on_progress,
            cancel=watcher.cancel,
            timeout=runtime.app.config.get("TRANSCODE_TIMEOUT") or transcode.default_timeout(info.duration),
            settings=runtime.transcode_settings(),
        )
        prefix = rendition_sets.new_set_prefix(recording.id)
        store.publish_dir(work / "set", prefix)
        _store_outputs(recording, outputs, prefix)
        recording.status = RecordingStatus.READY
        db.session.commit()  # the new set is live from here on
        stack.close()  # the work folder goes before the sweep, so the sweep sees only sets
        rendition_sets.sweep(store, rendition_sets.renditions_prefix(recording.id), prefix)
        search.reindex_panel(recording.panel)  # a new recording brings its own captions
        status, error = JobStatus.SUCCEEDED, None
    except transcode.TranscodeCancelled:
        status, error = JobStatus.CANCELLED, "Cancelled by an organiser."
    except transcode.TranscodeError as exc:
        error, detail = exc.message, exc.detail
    except Exception:  # noqa: BLE001  (any bug must still end the row in a final state)
        log.exception("transcode job %s crashed", job_id)
    finally:
        stack.close()
        watcher.finish()
        _finish(job_id, status, error, detail, notes)


def _finish(job_id: int, status: JobStatus, error: str | None, detail: str | None, notes=None) -> None:
    """Write the final state; the recording stays ready if an older set is still live.

    A successful transcode queues the flock job (the birds are drawn after the
    ladder, so the video is watchable first and a failure to draw never costs it),
    and then draft captions (after the flock, whose speech timeline names the speakers).
    """
    db.session.rollback()  # drop whatever a failure left half-done; successes committed already
    job = db.session.get(TranscodeJob, job_id)
    job.status, job.error, job.stderr_tail, job.finished_at = status, error, detail, utcnow()
    job.notes = notes or None
    if status is JobStatus.SUCCEEDED:
        job.progress, job.eta_seconds = 1.0, 0.0
    recording = job.recording
    if status is not JobStatus.SUCCEEDED:
        recording.status = RecordingStatus.READY if recording.renditions else RecordingStatus.FAILED
    db.session.commit()
    if status is JobStatus.SUCCEEDED and job.kind is JobKind.TRANSCODE and runtime.app.config["FLOCK_ENABLED"]:
        queue_flock(recording)
    elif (job.kind is JobKind.TRANSCODE and status is JobStatus.SUCCEEDED) or (
        job.kind is JobKind.FLOCK and status is not JobStatus.CANCELLED
    ):
        queue_auto_captions(recording)  # after the birds, so draft captions can name who speaks
