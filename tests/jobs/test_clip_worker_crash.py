"""A quote clip runs on the one job runner: a killed clip worker's clip is finished by
another, and a clip that keeps killing workers stops at the attempt cap.

Runs real ``flask worker`` processes against the test's database and queue, as
tests/jobs/test_worker_crash.py does for a transcode.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from datetime import timedelta

import sqlalchemy as sa

from eventsite import jobs
from eventsite.clips.models import Clip, ClipShape, ClipStatus
from eventsite.database import utcnow
from eventsite.events.models import View
from eventsite.extensions import db
from eventsite.recordings.models import RecordingJob, RecordingStatus
from eventsite.recordings.operations import store_original
from eventsite.storage import media_store
from tests.jobs.test_worker_crash import start_worker, wait_for, worker_env
from tests.transcode.media import av_clip


def ready_recording(app, make_panel, tmp_path, seconds: int):
    """A panel's recording transcoded in this process (one small rung, so the clip has its MP4)."""
    source = av_clip(tmp_path / "talk.mp4", "426x240", seconds, 25)
    upload = tmp_path / "upload.mp4"
    shutil.copy(source, upload)
    recording = store_original(upload, make_panel(), "talk.mp4")
    job_id = db.session.scalar(sa.select(RecordingJob.id).where(RecordingJob.recording_id == recording.id))
    jobs.run_recording_job.call_local(job_id)  # its message stays queued; a worker skips it (not queued any more)
    db.session.expire_all()
    assert recording.status is RecordingStatus.READY
    return recording


def queued_clip(recording, seconds: float) -> Clip:
    clip = Clip(
        recording_id=recording.id,
        start_ms=0,
        end_ms=round(seconds * 1000),
        view=View.VIDEO,
        shape=ClipShape.VERTICAL,
        quote=[],
        card_url="http://localhost/",
        status=ClipStatus.QUEUED,
    )
    db.session.add(clip)
    db.session.commit()
    return clip


def test_a_killed_clip_worker_clip_is_finished_by_another(app, app_ctx, make_panel, tmp_path):
    app.config.update(JOB_STALE_SECONDS=2, JOB_RETRY_DELAY=0, TRANSCODE_LADDER=(240,), CARTOON_HEIGHT=144)
    env = worker_env(app, tmp_path, f"sqlite:///{tmp_path / 'queue.db'}")
    env.update(EVENTSITE_CLIP_SHORT_SIDE="480", EVENTSITE_TRANSCODE_PRESET="ultrafast")
    recording = ready_recording(app, make_panel, tmp_path, 50)
    clip_id = queued_clip(recording, 45).id
    jobs.queue_clip(db.session.get(Clip, clip_id))

    first = start_worker(env)
    try:
        wait_for(lambda: db.session.get(Clip, clip_id).progress > 0.02, 90, "the first worker's progress")
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its ffmpeg die at once, like a lost machine
        first.wait()
    assert db.session.get(Clip, clip_id).status is ClipStatus.RUNNING

    time.sleep(app.config["JOB_STALE_SECONDS"] + 1.5)  # heartbeat goes stale
    assert jobs.requeue_stale_jobs() == 1
    assert db.session.get(Clip, clip_id).status is ClipStatus.QUEUED

    second = start_worker(env)
    try:
        clip = wait_for(
            lambda: (c := db.session.get(Clip, clip_id)).status not in (ClipStatus.QUEUED, ClipStatus.RUNNING) and c,
            180,
            "the second worker to finish the clip",
        )
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    assert clip.status is ClipStatus.READY, (clip.error, clip.stderr_tail)
    assert clip.attempts == 2 and clip.progress == 1.0
    assert media_store().size(clip.video_key) == clip.size_bytes > 0
    # The killed render left nothing in the clip's folder: only the finished MP4 and its poster.
    folder = media_store().path(clip.video_key).parent
    assert sorted(p.suffix for p in folder.iterdir()) == [".jpg", ".mp4"]


def test_a_clip_that_keeps_losing_its_worker_stops_at_the_attempt_cap(app, app_ctx, make_panel, tmp_path):
    app.config.update(TRANSCODE_LADDER=(240,), CARTOON_HEIGHT=144, JOB_MAX_ATTEMPTS=3)
    clip = queued_clip(ready_recording(app, make_panel, tmp_path, 2), 1.5)
    lost = utcnow() - timedelta(seconds=app.config["JOB_STALE_SECONDS"] + 5)
    for attempts in (1, 2):
        clip.status, clip.attempts, clip.heartbeat_at = ClipStatus.RUNNING, attempts, lost
        db.session.commit()
        assert jobs.requeue_stale_jobs() == 1
        db.session.refresh(clip)
        # Backoff: the retry is due later each time (JOB_RETRY_DELAY × 4ⁿ).
        due = (clip.heartbeat_at - utcnow()).total_seconds()
        assert clip.status is ClipStatus.QUEUED
        assert (
            app.config["JOB_RETRY_DELAY"] * 4 ** (attempts - 1) - 5
            < due
            <= app.config["JOB_RETRY_DELAY"] * 4 ** (attempts - 1)
        )
    clip.status, clip.attempts, clip.heartbeat_at = ClipStatus.RUNNING, 3, lost
    db.session.commit()
    assert jobs.requeue_stale_jobs() == 0
    db.session.refresh(clip)
    assert clip.status is ClipStatus.FAILED
    assert clip.error == "The worker stopped while rendering this clip 3 times; giving up."
    assert clip.finished_at is not None
