"""Organisers watch, cancel and retry transcodes from the studio."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from eventsite import jobs
from eventsite.extensions import db
from eventsite.recordings.models import JobStatus, RecordingJob, RecordingStatus
from eventsite.recordings.operations import store_original
from eventsite.storage import media_store
from tests.conftest import csrf_token
from tests.transcode.media import av_clip


@pytest.fixture
def recording(app, app_ctx, make_panel, tmp_path):
    app.config.update(TRANSCODE_LADDER=(144,), CARTOON_HEIGHT=144)
    clip = av_clip(tmp_path / "clip.mp4", "256x144", 4, 25)
    copy = tmp_path / "upload.mp4"
    shutil.copy(clip, copy)
    return store_original(copy, make_panel(), "panel.mp4")


def post(client, url, panel_id):
    token = csrf_token(client.get(f"/studio/panels/{panel_id}/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def test_status_json_follows_the_job(login, recording):
    client = login()
    state = client.get(f"/studio/recordings/{recording.id}/status.json").get_json()
    assert state["job"]["status"] == "queued" and state["job"]["active"] is True
    jobs.run_recording_job.call_local(state["job"]["id"])
    db.session.expire_all()  # the worker wrote through its own session
    state = client.get(f"/studio/recordings/{recording.id}/status.json").get_json()
    assert (state["status"], state["job"]["status"], state["job"]["progress"]) == ("ready", "succeeded", 1.0)
    assert {"mp4", "hls", "audio", "poster"} <= {r["kind"] for r in state["renditions"]}


def test_cancel_a_queued_job_and_retry_it(login, recording):
    client = login()
    job = recording.jobs[0]
    page = client.get(f"/studio/panels/{recording.panel_id}/").get_data(as_text=True)
    assert 'Transcoding: <strong class="job-status">queued</strong>' in page
    post(client, f"/studio/jobs/{job.id}/cancel", recording.panel_id)
    db.session.expire_all()
    assert db.session.get(RecordingJob, job.id).status is JobStatus.CANCELLED
    jobs.run_recording_job.call_local(job.id)  # a late delivery of the cancelled job does nothing
    assert db.session.get(RecordingJob, job.id).attempts == 0

    post(client, f"/studio/recordings/{recording.id}/transcode", recording.panel_id)
    db.session.expire_all()
    newest = db.session.scalar(sa.select(RecordingJob).order_by(RecordingJob.id.desc()))
    assert newest.id != job.id and newest.status is JobStatus.QUEUED
    assert newest.recording.status is RecordingStatus.PROCESSING


def test_a_second_transcode_is_refused_while_one_is_queued(login, recording):
    client = login()
    response = post(client, f"/studio/recordings/{recording.id}/transcode", recording.panel_id)
    assert "already being processed" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(RecordingJob.id))) == 1


def test_organiser_picks_the_poster_frame(login, recording):
    client = login()
    jobs.run_recording_job.call_local(recording.jobs[0].id)
    db.session.expire_all()
    poster = next(r for r in recording.renditions if r.kind.value == "poster")
    path = media_store().path(poster.storage_key)
    before = path.read_bytes()

    token = csrf_token(client.get(f"/studio/panels/{recording.panel_id}/").get_data(as_text=True))
    response = client.post(f"/studio/recordings/{recording.id}/poster", data={"csrf_token": token, "at": "0:03"})
    assert "The new poster is being taken" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert path.read_bytes() == before  # a worker takes it (tests/security/test_poster_job.py)
    jobs.render_poster.call_local(recording.id, 3.0)
    after = path.read_bytes()
    assert after[:2] == b"\xff\xd8" and after != before  # a new JPEG, from another moment
    db.session.expire_all()
    assert db.session.get(type(recording), recording.id).poster_time == 3.0

    response = client.post(f"/studio/recordings/{recording.id}/poster", data={"csrf_token": token, "at": "soon"})
    assert "for example 1:30" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert path.read_bytes() == after


def test_turning_the_cartoon_off_leaves_it_out_of_the_next_transcode(login, recording):
    client = login()
    panel = recording.panel
    token = csrf_token(client.get(f"/studio/panels/{panel.id}/").get_data(as_text=True))
    client.post(f"/studio/panels/{panel.id}/", data={"csrf_token": token, "title": panel.title})  # box unticked
    db.session.expire_all()
    assert recording.panel.cartoon_enabled is False
    jobs.run_recording_job.call_local(recording.jobs[0].id)
    db.session.expire_all()
    kinds = {r.kind.value for r in db.session.get(type(recording), recording.id).renditions}
    assert "mp4" in kinds and "cartoon" not in kinds
