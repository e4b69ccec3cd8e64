"""Quick publish through the job: a web-ready upload is watchable on its copied picture, then the ladder swaps in."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
import sqlalchemy as sa

from eventsite import jobs
from eventsite.extensions import db
from eventsite.jobs.transcode_job import WATCHABLE_QUICK
from eventsite.recordings.cli import wait_for_transcode
from eventsite.recordings.models import JobStatus, Recording, RecordingJob, RecordingStatus
from eventsite.recordings.operations import store_original
from eventsite.storage import media_store
from tests.transcode.media import loudness, packet_hashes, web_ready


@pytest.fixture
def app(app):
    # the clip is 640x360, so the top rung is its own size and the quick set may copy it
    app.config.update(TRANSCODE_LADDER=(360, 240), CARTOON_HEIGHT=144)
    return app


@pytest.fixture
def web_ready_upload(app_ctx, make_panel, tmp_path) -> tuple[Recording, list[str]]:
    clip = web_ready(tmp_path / "export.mp4")
    hashes = packet_hashes(clip)
    upload = tmp_path / "upload.mp4"
    shutil.copy(clip, upload)
    return store_original(upload, make_panel(), "export.mp4"), hashes


def job_of(recording: Recording) -> RecordingJob:
    db.session.expire_all()
    return db.session.scalar(sa.select(RecordingJob).where(RecordingJob.recording_id == recording.id))


def live_set(recording: Recording) -> dict[tuple[str, str], str]:
    db.session.expire_all()
    return {(r.kind.value, r.label): r.storage_key for r in db.session.get(Recording, recording.id).renditions}


def test_a_web_ready_upload_is_watchable_quick_first_then_complete(web_ready_upload):
    recording, original_packets = web_ready_upload
    job_id = job_of(recording).id
    runner = threading.Thread(target=jobs.run_recording_job.call_local, args=(job_id,))
    runner.start()
    quick, deadline = None, time.monotonic() + 120
    while runner.is_alive() and quick is None:
        assert time.monotonic() < deadline, "the job never finished"
        job = job_of(recording)
        if job.notes == [WATCHABLE_QUICK]:
            quick = {"set": live_set(recording), "progress": job.progress, "status": job.status}
            mp4 = quick["set"][("mp4", "360p")]
            quick["packets"] = packet_hashes(media_store().path(mp4))
            sound = media_store().path(quick["set"][("audio", "aac")])
            quick["sound"], quick["loudness"] = packet_hashes(sound, "a:0"), loudness(sound)
            quick["ready"] = db.session.get(Recording, recording.id).status
        time.sleep(0.05)
    runner.join(timeout=120)
    assert quick is not None, "the quick set was never live while the job ran"
    # watchable while the ladder is still being made, on the upload's own packets
    assert quick["status"] is JobStatus.RUNNING and quick["ready"] is RecordingStatus.READY
    assert set(quick["set"]) == {("hls", "adaptive"), ("mp4", "360p"), ("audio", "aac"), ("poster", "poster")}
    assert quick["packets"] == original_packets
    # then the full set, swapped in whole; the quick one is gone
    job = job_of(recording)
    assert job.status is JobStatus.SUCCEEDED, job.error
    assert job.notes is None
    full = live_set(recording)
    assert {("mp4", "360p"), ("mp4", "240p"), ("cartoon", "144p"), ("storyboard", "storyboard")} <= set(full)
    assert packet_hashes(media_store().path(full[("mp4", "360p")])) != original_packets  # encoded by the ladder
    assert not media_store().exists(quick["set"][("mp4", "360p")])
    # the quick set's sound was encoded fast (aac_coder); the full ladder encoded its own, both normalised
    sound = media_store().path(full[("audio", "aac")])
    assert quick["sound"] != packet_hashes(sound, "a:0")
    for integrated, peak in (quick["loudness"], loudness(sound)):
        assert abs(integrated - -16) <= 1 and peak <= -1


def test_quick_publish_can_be_turned_off(app, web_ready_upload):
    app.config["QUICK_PUBLISH"] = False
    recording, _ = web_ready_upload
    notes = []
    runner = threading.Thread(target=jobs.run_recording_job.call_local, args=(job_of(recording).id,))
    runner.start()
    while runner.is_alive():
        notes.append(job_of(recording).notes)
        time.sleep(0.05)
    assert job_of(recording).status is JobStatus.SUCCEEDED
    assert [WATCHABLE_QUICK] not in notes


def test_the_studio_says_watchable_now_while_the_ladder_is_made(login, web_ready_upload):
    recording, _ = web_ready_upload
    client = login()
    runner = threading.Thread(target=jobs.run_recording_job.call_local, args=(job_of(recording).id,))
    runner.start()
    seen, deadline = None, time.monotonic() + 120
    while runner.is_alive() and seen is None:
        assert time.monotonic() < deadline
        db.session.rollback()  # the requests share this test's session: end its read, see the worker's writes
        state = client.get(f"/studio/recordings/{recording.id}/status.json").get_json()
        if state["jobs"][0]["notes"]:
            page = client.get(f"/studio/panels/{recording.panel_id}/").get_data(as_text=True)
            seen = (state, page)
        time.sleep(0.05)
    runner.join(timeout=120)
    assert seen is not None, "the studio never showed the quick set"
    state, page = seen
    assert state["jobs"][0]["notes"] == [WATCHABLE_QUICK] and state["jobs"][0]["status"] == "running"
    assert state["status"] == "ready" and {"hls", "mp4"} <= {r["kind"] for r in state["renditions"]}
    assert "Watchable now (quick)" in page
    # once the job is done the note has served its purpose
    db.session.rollback()
    state = client.get(f"/studio/recordings/{recording.id}/status.json").get_json()
    assert state["jobs"][0]["status"] == "succeeded" and state["jobs"][0]["notes"] is None


def test_import_recording_wait_says_watchable_now_once(web_ready_upload, capsys):
    recording, _ = web_ready_upload
    runner = threading.Thread(target=jobs.run_recording_job.call_local, args=(job_of(recording).id,))
    runner.start()
    wait_for_transcode(recording.id, poll_seconds=0.05, timeout=120)
    runner.join(timeout=10)
    captured = capsys.readouterr()
    assert captured.err.count("Watchable now (quick)") == 1
    assert "Ready:" in captured.out
