"""Transcode jobs end to end: real ffmpeg, real database rows, real queue."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventsite import jobs
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.recordings.models import JobStatus, Recording, RecordingJob, RecordingStatus, Rendition
from eventsite.recordings.operations import file_sha256, store_original
from eventsite.storage import media_store
from tests.transcode.media import av_clip, ffprobe_json


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return {
        "short": av_clip(folder / "short.mp4", "320x240", 2, 25),
        "long": av_clip(folder / "long.mp4", "640x360", 30, 30),
    }


@pytest.fixture
def app(app):
    app.config.update(TRANSCODE_LADDER=(240, 144), CARTOON_HEIGHT=144, JOB_RETRY_DELAY=0)
    return app


@pytest.fixture
def add_recording(app_ctx, make_panel, tmp_path):
    """Store a copy of a clip as a panel's original; the job is queued but not run."""

    def factory(source: Path, panel=None) -> Recording:
        copy = tmp_path / f"upload-{time.monotonic_ns()}{source.suffix}"
        shutil.copy(source, copy)
        return store_original(copy, panel or make_panel(), source.name)

    return factory


def latest_job(recording: Recording) -> RecordingJob:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(RecordingJob).where(RecordingJob.recording_id == recording.id).order_by(RecordingJob.id.desc())
    )


def test_upload_queues_a_job_that_makes_every_rendition(add_recording, clips):
    recording = add_recording(clips["short"])
    job = latest_job(recording)
    assert job.status is JobStatus.QUEUED and recording.status is RecordingStatus.PROCESSING

    jobs.run_recording_job.call_local(job.id)

    job = latest_job(recording)
    assert job.status is JobStatus.SUCCEEDED, job.error
    assert (job.progress, job.attempts) == (1.0, 1)
    kinds = {(r.kind.value, r.label) for r in recording.renditions}
    assert {"hls", "mp4", "audio", "poster", "storyboard", "cartoon"} <= {k for k, _ in kinds}
    assert ("mp4", "240p") in kinds and ("mp4", "144p") in kinds
    for rendition in recording.renditions:
        assert media_store().exists(rendition.storage_key), rendition.storage_key
    mp4 = next(r for r in recording.renditions if r.label == "240p" and r.kind.value == "mp4")
    stream = ffprobe_json(media_store().path(mp4.storage_key))["streams"][0]
    assert (stream["codec_name"], stream["height"]) == ("h264", 240)
    assert recording.status is RecordingStatus.READY


def test_second_delivery_of_a_finished_job_changes_nothing(add_recording, clips):
    recording = add_recording(clips["short"])
    job_id = latest_job(recording).id
    jobs.run_recording_job.call_local(job_id)
    keys = sorted(r.storage_key for r in recording.renditions)
    jobs.run_recording_job.call_local(job_id)
    db.session.expire_all()
    assert sorted(r.storage_key for r in db.session.get(Recording, recording.id).renditions) == keys
    assert latest_job(recording).attempts == 1


def test_a_failure_is_explained_and_the_original_survives(add_recording, clips):
    recording = add_recording(clips["short"])
    original = media_store().path(recording.original_key)
    digest = file_sha256(original)
    # The file goes bad after upload (disk damage, or an ffmpeg bug): truncate a copy into place.
    data = original.read_bytes()
    original.write_bytes(data[: len(data) // 3])
    digest = file_sha256(original)
    jobs.run_recording_job.call_local(latest_job(recording).id)
    job = latest_job(recording)
    assert job.status is JobStatus.FAILED
    assert job.error and "ffmpeg" not in job.error.split(".")[0].lower()  # plain words first
    assert file_sha256(original) == digest
    assert db.session.get(Recording, recording.id).status is RecordingStatus.FAILED
    assert db.session.scalar(sa.select(sa.func.count(Rendition.id))) == 0


def test_cancel_stops_ffmpeg_within_seconds(app, add_recording, clips):
    recording = add_recording(clips["long"])
    job_id = latest_job(recording).id
    runner = threading.Thread(target=jobs.run_recording_job.call_local, args=(job_id,))
    runner.start()
    deadline = time.monotonic() + 30
    while latest_job(recording).status is not JobStatus.RUNNING or not latest_job(recording).progress:
        assert time.monotonic() < deadline, "job never reported progress"
        time.sleep(0.2)
    db.session.execute(sa.update(RecordingJob).where(RecordingJob.id == job_id).values(cancel_requested=True))
    db.session.commit()
    asked = time.monotonic()
    runner.join(timeout=15)
    assert not runner.is_alive()
    assert time.monotonic() - asked < 5
    job = latest_job(recording)
    assert job.status is JobStatus.CANCELLED
    assert not list(media_store().iter_keys(f"recordings/{recording.id}/renditions"))
    assert media_store().exists(recording.original_key)


def test_stale_running_job_is_requeued_then_given_up(app, add_recording, clips):
    recording = add_recording(clips["short"])
    job = latest_job(recording)
    stale = utcnow() - timedelta(seconds=app.config["JOB_STALE_SECONDS"] + 5)
    job.status, job.heartbeat_at, job.attempts = JobStatus.RUNNING, stale, 1
    db.session.commit()
    fresh = RecordingJob(recording=recording, status=JobStatus.RUNNING, heartbeat_at=utcnow(), attempts=1)
    db.session.add(fresh)
    db.session.commit()

    assert jobs.requeue_stale_jobs() == 1
    db.session.expire_all()
    assert db.session.get(RecordingJob, job.id).status is JobStatus.QUEUED
    assert db.session.get(RecordingJob, fresh.id).status is JobStatus.RUNNING

    job = db.session.get(RecordingJob, job.id)
    job.status, job.heartbeat_at, job.attempts = JobStatus.RUNNING, stale, app.config["JOB_MAX_ATTEMPTS"]
    db.session.commit()
    assert jobs.requeue_stale_jobs() == 0
    job = db.session.get(RecordingJob, job.id)
    assert job.status is JobStatus.FAILED and "gave up" in job.error or "giving up" in job.error


def test_housekeeping_purges_expired_partial_uploads(app, app_ctx):
    from eventsite.recordings.upload_store import uploads_folder

    folder = uploads_folder()
    folder.mkdir(parents=True, exist_ok=True)
    before = {p.name for p in folder.iterdir()}
    app.config["UPLOAD_EXPIRES_SECONDS"] = 0
    stale = folder / ("a" * 32)
    stale.write_bytes(b"half an upload")
    time.sleep(0.05)
    jobs.housekeeping.call_local()
    assert not stale.exists()
    assert {p.name for p in folder.iterdir()} <= before | {".locks"}


def test_a_queued_job_whose_message_was_lost_is_sent_again(app, add_recording, clips):
    recording = add_recording(clips["short"])
    job = latest_job(recording)
    app.config["QUEUE_IMMEDIATE"] = True
    jobs.init_app(app)  # immediate mode: a re-sent message runs at once, in this process
    job.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert jobs.requeue_stale_jobs() == 1
    assert latest_job(recording).status is JobStatus.SUCCEEDED


def test_an_audio_only_talk_gets_a_title_card_video(add_recording, tmp_path, make_panelist, make_panel):
    from tests.transcode.media import ffmpeg

    audio = tmp_path / "podcast.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000", "-t", "3", "-c:a", "aac", str(audio))
    panel = make_panel("Influence, the audio edition")
    make_panelist("Gemma Went", panel=panel)
    recording = add_recording(audio, panel)
    jobs.run_recording_job.call_local(latest_job(recording).id)
    job = latest_job(recording)
    assert job.status is JobStatus.SUCCEEDED, job.error
    kinds = {r.kind.value for r in recording.renditions}
    assert {"audio", "mp4", "poster"} <= kinds
    mp4 = next(r for r in recording.renditions if r.kind.value == "mp4")
    streams = {s["codec_type"]: s for s in ffprobe_json(media_store().path(mp4.storage_key))["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "aac"
    assert abs(float(ffprobe_json(media_store().path(mp4.storage_key))["format"]["duration"]) - 3) < 0.3
