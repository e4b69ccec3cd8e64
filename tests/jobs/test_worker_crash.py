"""A worker killed mid-transcode loses nothing: another worker finishes the job.

Runs real ``flask worker`` processes against the same database and queue as
the test (SQLite queue always; Redis too when EVENTSITE_TEST_REDIS_URL is set,
as CI does).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsite import jobs
from eventsite.extensions import db
from eventsite.recordings.models import JobStatus, Recording, RecordingJob
from eventsite.recordings.operations import file_sha256, store_original
from eventsite.storage import media_store
from tests.transcode.media import av_clip

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("EVENTSITE_TEST_REDIS_URL")


def queue_urls():
    yield pytest.param("sqlite", id="sqlite-queue")
    yield pytest.param(
        "redis",
        id="redis-queue",
        marks=pytest.mark.skipif(not REDIS_URL, reason="set EVENTSITE_TEST_REDIS_URL to test the Redis queue"),
    )


def worker_env(app, tmp_path, queue_url: str) -> dict:
    """Environment for a ``flask worker`` sharing the test's database, media and queue."""
    app.config.update(QUEUE_URL=queue_url)
    jobs.init_app(app)  # the test enqueues into the same queue the workers read
    return {
        **os.environ,
        "EVENTSITE_DATABASE_URL": app.config["DATABASE_URL"],
        "EVENTSITE_MEDIA_ROOT": app.config["MEDIA_ROOT"],
        "EVENTSITE_INSTANCE_PATH": str(tmp_path / "instance"),
        "EVENTSITE_QUEUE_URL": queue_url,
        "EVENTSITE_TRANSCODE_LADDER": json.dumps(list(app.config["TRANSCODE_LADDER"])),
        "EVENTSITE_SECRET_KEY": secrets.token_hex(32),
    }


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        if value := predicate():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("backend", list(queue_urls()))
def test_killed_worker_job_is_finished_by_another(app, app_ctx, make_panel, tmp_path, backend):
    if backend == "redis":
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        queue_url = REDIS_URL
    else:
        queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    app.config.update(JOB_STALE_SECONDS=2, JOB_RETRY_DELAY=0, TRANSCODE_LADDER=(360, 240))
    env = worker_env(app, tmp_path, queue_url)

    source = av_clip(tmp_path / "talk.mp4", "640x360", 40, 30)
    upload = tmp_path / "upload.mp4"
    shutil.copy(source, upload)
    recording = store_original(upload, make_panel(), "talk.mp4")
    original_sha = file_sha256(media_store().path(recording.original_key))
    job_id = db.session.scalar(sa.select(RecordingJob.id).where(RecordingJob.recording_id == recording.id))

    first = start_worker(env)
    try:
        wait_for(lambda: db.session.get(RecordingJob, job_id).progress > 0.05, 60, "the first worker's progress")
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its ffmpeg die at once, like a lost machine
        first.wait()
    assert db.session.get(RecordingJob, job_id).status is JobStatus.RUNNING

    time.sleep(app.config["JOB_STALE_SECONDS"] + 1.5)  # heartbeat goes stale
    assert jobs.requeue_stale_jobs() == 1

    second = start_worker(env)
    try:
        job = wait_for(
            lambda: (
                (j := db.session.get(RecordingJob, job_id)).status not in (JobStatus.QUEUED, JobStatus.RUNNING) and j
            ),
            180,
            "the second worker to finish",
        )
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    assert job.status is JobStatus.SUCCEEDED, (job.error, job.stderr_tail)
    assert job.attempts == 2
    recording = db.session.get(Recording, recording.id)
    folder = media_store().path(f"recordings/{recording.id}")
    # One rendition set, no temporary folders left by the killed run, original untouched.
    assert sorted(p.name for p in folder.iterdir()) == ["original.mp4", "renditions"]
    assert len([r for r in recording.renditions if r.kind.value == "hls"]) == 1
    assert file_sha256(media_store().path(recording.original_key)) == original_sha


def import_with_a_worker(runner, env: dict, clip: Path, panel):
    """``flask import-recording --wait`` while a real worker runs; the worker is stopped after."""
    worker = start_worker(env)
    try:
        return runner.invoke(args=["import-recording", str(clip), "--panel", panel.slug, "--wait", "--timeout", "120"])
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


def test_import_recording_waits_for_a_real_worker(app, app_ctx, runner, make_panel, tmp_path):
    app.config.update(TRANSCODE_LADDER=(240,), CARTOON_HEIGHT=144)
    env = worker_env(app, tmp_path, f"sqlite:///{tmp_path / 'queue.db'}")
    panel = make_panel()
    clip = av_clip(tmp_path / "panel.mp4", "426x240", 2, 25)
    result = import_with_a_worker(runner, env, clip, panel)
    assert result.exit_code == 0, result.output
    assert "Transcoding" in result.output and "Ready:" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Recording)).status.value == "ready"


def test_a_video_without_sound_publishes_and_no_job_fails(app, app_ctx, runner, make_panel, make_panelist, tmp_path):
    """Screen recordings, B-roll and muted phone clips have no sound: a video, not an error."""
    app.config.update(TRANSCODE_LADDER=(240,), CARTOON_HEIGHT=144)
    env = worker_env(app, tmp_path, f"sqlite:///{tmp_path / 'queue.db'}")
    panel = make_panel()
    make_panelist(name="Ana Lima", panel=panel, position=0)
    make_panelist(name="Ben Ode", panel=panel, position=1)
    clip = tmp_path / "muted.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=426x240:rate=25", "-t", "2",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip)],
        check=True,
    )  # fmt: skip
    result = import_with_a_worker(runner, env, clip, panel)
    assert result.exit_code == 0, result.output
    assert "failed" not in result.output.lower(), result.output
    db.session.expire_all()
    recording = db.session.scalar(sa.select(Recording))
    assert recording.status.value == "ready"
    rows = db.session.scalars(sa.select(RecordingJob).where(RecordingJob.recording_id == recording.id)).all()
    assert rows and all(row.status is JobStatus.SUCCEEDED for row in rows), [(r.kind, r.status, r.error) for r in rows]
    listening = [row for row in rows if row.kind.value != "transcode"]
    assert listening and all(
        "This recording has no sound, so there are no birds or captions." in (row.notes or []) for row in listening
    ), [(r.kind, r.notes) for r in listening]
