"""Rendition sets on both back-ends: each transcode and each drawing of the
birds publishes under a fresh prefix, goes live with one commit, and the
previous set is removed only after it; a cancelled run leaves the live set
alone. Real ffmpeg, real worker code, a real S3 API (moto) for ``s3``."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
import sqlalchemy as sa

from eventsite import jobs
from eventsite.events.models import PanelStatus
from eventsite.extensions import db
from eventsite.recordings import rendition_sets
from eventsite.recordings.models import JobKind, JobStatus, Recording, RecordingJob, RenditionKind
from eventsite.recordings.operations import store_original
from eventsite.recordings.timeline import read_timeline
from eventsite.storage import media_store
from tests.transcode.media import av_clip


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return {
        "short": av_clip(folder / "short.mp4", "320x240", 2, 25),
        "long": av_clip(folder / "long.mp4", "640x360", 30, 30),
    }


@pytest.fixture(params=["local", "s3"])
def app(request, app):
    """The test app on each back-end (``s3``: a fresh bucket on the moto server)."""
    app.config.update(TRANSCODE_LADDER=(144,), CARTOON_HEIGHT=144, JOB_RETRY_DELAY=0)
    if request.param == "s3":
        app.extensions["media_store"] = request.getfixturevalue("s3_store")
    return app


def latest(recording: Recording, kind: JobKind = JobKind.TRANSCODE) -> RecordingJob:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(RecordingJob)
        .where(RecordingJob.recording_id == recording.id, RecordingJob.kind == kind)
        .order_by(RecordingJob.id.desc())
    )


def transcoded(recording: Recording) -> RecordingJob:
    jobs.run_recording_job.call_local(latest(recording).id)
    job = latest(recording)
    assert job.status is JobStatus.SUCCEEDED, (job.error, job.stderr_tail)
    return job


def again(recording: Recording) -> int:
    """Queue a fresh transcode of ``recording`` (as "Transcode again" does); return its id."""
    job = jobs.queue_transcode(recording)
    return job.id


def stored_keys(recording_id: int) -> set[str]:
    return set(media_store().iter_keys(rendition_sets.renditions_prefix(recording_id)))


@pytest.fixture
def recording(app_ctx, make_panel, clips, tmp_path):
    copy = tmp_path / "upload.mp4"
    shutil.copy(clips["short"], copy)
    return store_original(copy, make_panel(status=PanelStatus.PUBLISHED), "talk.mp4")


def test_a_transcode_publishes_one_named_set(recording):
    transcoded(recording)
    keys = {r.storage_key for r in recording.renditions}
    prefixes = {rendition_sets.set_prefix_of(k) for k in keys}
    assert len(prefixes) == 1 and None not in prefixes
    (prefix,) = prefixes
    assert media_store().children(rendition_sets.renditions_prefix(recording.id)) == {prefix.rsplit("/", 1)[1]}
    # Every row names a stored file, and nothing stored is left without a row's set.
    assert all(media_store().exists(k) for k in keys)
    assert all(k.startswith(prefix + "/") for k in stored_keys(recording.id))


def test_transcoding_again_replaces_the_set_after_the_commit(recording, client):
    transcoded(recording)
    old = {r.storage_key for r in recording.renditions}
    jobs.run_recording_job.call_local(again(recording))
    assert latest(recording).status is JobStatus.SUCCEEDED
    db.session.expire_all()
    new = {r.storage_key for r in db.session.get(Recording, recording.id).renditions}
    assert new and not new & old
    assert not any(media_store().exists(k) for k in old)
    assert stored_keys(recording.id) >= new
    (prefix,) = {rendition_sets.set_prefix_of(k) for k in new}
    assert all(k.startswith(prefix + "/") for k in stored_keys(recording.id))
    # The public gets the new files (a redirect from object storage, the bytes from the local store).
    master = next(
        r.storage_key for r in db.session.get(Recording, recording.id).renditions if r.kind is RenditionKind.HLS
    )
    assert client.get(f"/media/{master}").status_code in (200, 302)
    assert client.get(f"/media/{next(iter(old))}").status_code == 404


def test_a_cancelled_transcode_leaves_the_live_set_alone(app, recording, clips, tmp_path):
    transcoded(recording)
    live = {r.storage_key for r in recording.renditions}
    # A longer take replaces the original so the second run lasts long enough to cancel.
    media_store().save(recording.original_key, clips["long"].open("rb"))
    job_id = again(recording)
    runner = threading.Thread(target=jobs.run_recording_job.call_local, args=(job_id,))
    runner.start()
    deadline = time.monotonic() + 60
    while not (latest(recording).status is JobStatus.RUNNING and latest(recording).progress):
        assert time.monotonic() < deadline, "the job never reported progress"
        time.sleep(0.2)
    db.session.execute(sa.update(RecordingJob).where(RecordingJob.id == job_id).values(cancel_requested=True))
    db.session.commit()
    runner.join(timeout=30)
    assert latest(recording).status is JobStatus.CANCELLED
    db.session.expire_all()
    assert {r.storage_key for r in db.session.get(Recording, recording.id).renditions} == live
    (prefix,) = {rendition_sets.set_prefix_of(k) for k in live}
    assert all(k.startswith(prefix + "/") for k in stored_keys(recording.id))  # nothing of the cancelled run
    assert all(media_store().exists(k) for k in live)


def test_drawing_the_birds_again_replaces_only_the_flock(app, recording):
    app.config["FLOCK_ENABLED"] = True
    transcoded(recording)
    jobs.run_recording_job.call_local(latest(recording, JobKind.FLOCK).id)
    first = latest(recording, JobKind.FLOCK)
    assert first.status is JobStatus.SUCCEEDED, (first.error, first.stderr_tail)
    db.session.expire_all()
    rows = db.session.get(Recording, recording.id).renditions
    ladder = {
        r.storage_key for r in rows if not r.kind.value.startswith("flock") and r.kind is not RenditionKind.TIMELINE
    }
    flock = {r.storage_key for r in rows} - ladder
    (set_prefix,) = {rendition_sets.set_prefix_of(k) for k in ladder}
    flock_prefixes = {k.rsplit("/", 1)[0] for k in flock if k.endswith((".m3u8", ".json", ".jpg"))}
    assert all(p.startswith(rendition_sets.flock_parent(set_prefix) + "/") for p in flock_prefixes)
    assert read_timeline(recording) is not None

    jobs.queue_flock(db.session.get(Recording, recording.id))
    jobs.run_recording_job.call_local(latest(recording, JobKind.FLOCK).id)
    assert latest(recording, JobKind.FLOCK).status is JobStatus.SUCCEEDED
    db.session.expire_all()
    rows = db.session.get(Recording, recording.id).renditions
    assert {r.storage_key for r in rows} >= ladder  # the camera's set is untouched
    redrawn = {r.storage_key for r in rows} - ladder
    assert redrawn and not redrawn & flock
    assert not any(media_store().exists(k) for k in flock)
    assert all(media_store().exists(k) for k in redrawn | ladder)
    assert len(media_store().children(rendition_sets.flock_parent(set_prefix))) == 1


def test_a_work_folder_is_never_served(recording, client, login):
    transcoded(recording)
    login()
    key = f"{rendition_sets.renditions_prefix(recording.id)}/.work-abc123/set/hls/master.m3u8"
    media_store().save_bytes(key, b"#EXTM3U\n")
    assert client.get(f"/media/{key}").status_code == 404  # not even to organisers
