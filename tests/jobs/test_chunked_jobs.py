"""One recording on many workers: real ``flask worker`` processes share a long recording's chunks.

The recording is 32 s cut into 4 s chunks (8 chunk jobs); the workers share the
test's SQLite database, media folder and SQLite queue (tests/jobs/test_worker_crash.py).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsite import jobs
from eventsite.extensions import db
from eventsite.recordings.cli import wait_for_transcode
from eventsite.recordings.models import JobKind, JobStatus, Recording, RecordingJob
from eventsite.recordings.operations import store_original
from eventsite.storage import media_store
from tests.jobs.test_worker_crash import ROOT, wait_for, worker_env
from tests.transcode.media import av_clip, ffprobe_json

CHUNKS = 8
FINAL = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


@pytest.fixture
def env(app, tmp_path) -> dict:
    settings = {
        "JOB_STALE_SECONDS": 3, "JOB_RETRY_DELAY": 0, "CHUNK_SECONDS": 4, "CARTOON_HEIGHT": 120,
        "FLOCK_ENABLED": False, "AUTO_CAPTIONS_ENABLED": False, "QUICK_PUBLISH": False,
    }  # fmt: skip
    app.config.update(TRANSCODE_LADDER=(240,), **settings)
    env = worker_env(app, tmp_path, f"sqlite:///{tmp_path / 'queue.db'}")
    env.update({f"EVENTSITE_{key}": str(value).lower() for key, value in settings.items()})
    return env


class Worker:
    """A real ``flask worker`` whose log says which jobs it started."""

    def __init__(self, env: dict, log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def started(self, kind: str) -> list[int]:
        """Ids of the jobs of ``kind`` this worker started."""
        text = self.log.read_text(errors="replace")
        pattern = rf"job (\d+) \({kind}, recording \d+\) started on \S+ pid {self.process.pid}\b"
        return [int(n) for n in re.findall(pattern, text)]

    def kill(self) -> None:
        """Like a lost machine: the worker and its ffmpeg die at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


@pytest.fixture
def workers():
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


@pytest.fixture(scope="module")
def talk(tmp_path_factory) -> Path:
    """32 s, 320x240 at 30 fps, with sound."""
    return av_clip(tmp_path_factory.mktemp("talk") / "talk.mp4", "320x240", 32, 30)


def upload(talk: Path, make_panel, tmp_path: Path) -> int:
    """Store the talk as a new recording (which queues its transcode); the transcode's id."""
    copy = tmp_path / "upload.mp4"
    copy.write_bytes(talk.read_bytes())
    recording = store_original(copy, make_panel(), "talk.mp4")
    return db.session.scalar(sa.select(RecordingJob.id).where(RecordingJob.recording_id == recording.id))


def chunks_of(job_id: int) -> list[RecordingJob]:
    return db.session.scalars(
        sa.select(RecordingJob).where(RecordingJob.parent_id == job_id).order_by(RecordingJob.id)
    ).all()


def finished(job_id: int) -> RecordingJob | None:
    job = db.session.get(RecordingJob, job_id)
    return job if job.status in FINAL else None


def assert_joined_without_gaps(recording: Recording) -> None:
    """The published HLS rung and MP4: every frame one frame after the last, keyframes every 2 s."""
    store = media_store()
    for kind in ("hls", "mp4"):
        rendition = next(r for r in recording.renditions if r.kind.value == kind)
        path = store.path(rendition.storage_key)
        if kind == "hls":
            path = path.parent / "240p/index.m3u8"
        found = ffprobe_json(path, "-select_streams", "v:0", "-show_entries", "packet=pts,flags")["packets"]
        times = sorted(int(p["pts"]) for p in found)
        assert len(times) == 32 * 30 and len({b - a for a, b in zip(times, times[1:], strict=False)}) == 1, kind
        keys = sorted(int(p["pts"]) for p in found if "K" in p["flags"])
        assert [times.index(k) for k in keys] == list(range(0, 960, 60)), kind
    assert chunk_files(recording) == []  # joined, then removed


def test_two_workers_encode_one_recording_and_its_chunks_are_counted(
    app_ctx, make_panel, env, talk, tmp_path, workers, capsys
):
    workers += [Worker(env, tmp_path / "one.log"), Worker(env, tmp_path / "two.log")]
    job_id = upload(talk, make_panel, tmp_path)
    # what `flask import-recording --wait` shows (the studio's job line reads the same notes and time left)
    wait_for_transcode(db.session.get(RecordingJob, job_id).recording_id, poll_seconds=0.2, timeout=300)
    said = capsys.readouterr().err
    assert re.search(rf"\n[1-7] of {CHUNKS} chunks done\. About 0:\d\d left\.", said), said
    job = db.session.get(RecordingJob, job_id)
    assert job.status is JobStatus.SUCCEEDED and job.attempts == 1, (job.error, job.stderr_tail)
    chunks = chunks_of(job_id)
    assert len(chunks) == CHUNKS and all(c.kind is JobKind.CHUNK for c in chunks)
    assert all(c.status is JobStatus.SUCCEEDED and c.attempts == 1 for c in chunks)
    by_worker = [set(w.started("chunk")) for w in workers]
    assert all(by_worker) and set.union(*by_worker) == {c.id for c in chunks}, by_worker
    recording = db.session.get(Recording, job.recording_id)
    assert recording.status.value == "ready" and recording.pipeline_jobs == [job]
    assert_joined_without_gaps(recording)


def test_a_killed_chunk_worker_is_retried_alone(app_ctx, make_panel, env, talk, tmp_path, workers):
    workers += [Worker(env, tmp_path / "one.log"), Worker(env, tmp_path / "two.log")]
    job_id = upload(talk, make_panel, tmp_path)
    parent = wait_for(lambda: next((w for w in workers if job_id in w.started("transcode")), None), 60, "a worker")
    helper = next(w for w in workers if w is not parent)

    def helper_busy():
        running = {c.id for c in chunks_of(job_id) if c.status is JobStatus.RUNNING}
        return next(iter(running & set(helper.started("chunk"))), None)

    lost = wait_for(helper_busy, 120, "the other worker to encode a chunk")
    helper.kill()
    assert db.session.get(RecordingJob, lost).status is JobStatus.RUNNING
    time.sleep(env_seconds(env, "JOB_STALE_SECONDS") + 1.5)
    assert jobs.requeue_stale_jobs() == 1  # that chunk alone; the transcode's worker is alive

    job = wait_for(lambda: finished(job_id), 300, "the transcode")
    assert job.status is JobStatus.SUCCEEDED and job.attempts == 1, (job.error, job.stderr_tail)
    attempts = {c.id: c.attempts for c in chunks_of(job_id)}
    assert attempts.pop(lost) == 2 and set(attempts.values()) == {1}
    assert_joined_without_gaps(db.session.get(Recording, job.recording_id))


def test_cancel_stops_every_chunk(app_ctx, make_panel, env, talk, tmp_path, workers):
    workers += [Worker(env, tmp_path / "one.log")]
    job_id = upload(talk, make_panel, tmp_path)
    wait_for(lambda: any(c.status is JobStatus.RUNNING for c in chunks_of(job_id)), 120, "a chunk to start")
    jobs.cancel_job(db.session.get(RecordingJob, job_id))

    job = wait_for(lambda: finished(job_id), 30, "the transcode to stop")
    assert job.status is JobStatus.CANCELLED
    wait_for(lambda: all(c.status in FINAL for c in chunks_of(job_id)), 10, "every chunk to stop")
    states = [c.status for c in chunks_of(job_id)]
    assert JobStatus.CANCELLED in states and states.count(JobStatus.SUCCEEDED) < CHUNKS, states
    recording = db.session.get(Recording, job.recording_id)
    assert recording.status.value == "failed" and not recording.renditions
    assert chunk_files(recording) == []
    assert workers[0].process.poll() is None  # the worker carries on


def chunk_files(recording: Recording) -> list[Path]:
    """Files left of the chunks in the media folder."""
    return [p for p in media_store().path(f"recordings/{recording.id}/chunks").rglob("*") if p.is_file()]


def env_seconds(env: dict, name: str) -> float:
    return float(env[f"EVENTSITE_{name}"])
