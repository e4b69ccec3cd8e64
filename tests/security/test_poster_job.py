"""A chosen poster frame is taken by a worker, not during the organiser's request."""

from __future__ import annotations

import shutil

from eventsite import jobs
from eventsite.extensions import db, queue
from eventsite.recordings.models import Recording, RenditionKind
from eventsite.recordings.operations import store_original
from eventsite.storage import media_store
from tests.conftest import csrf_token
from tests.transcode.media import av_clip


def poster_bytes(recording_id: int) -> bytes:
    db.session.expire_all()
    recording = db.session.get(Recording, recording_id)
    poster = next(r for r in recording.renditions if r.kind is RenditionKind.POSTER)
    with media_store().local_copy(poster.storage_key) as path:
        return path.read_bytes()


def queued_tasks() -> list:
    tasks = []
    while (task := queue.dequeue()) is not None:
        tasks.append(task)
    return tasks


def test_the_poster_request_only_queues_the_work(app, app_ctx, login, make_panel, tmp_path):
    app.config.update(TRANSCODE_LADDER=(144,), CARTOON_HEIGHT=144)
    clip = av_clip(tmp_path / "clip.mp4", "256x144", 4, 25)
    shutil.copy(clip, tmp_path / "upload.mp4")
    recording = store_original(tmp_path / "upload.mp4", make_panel(), "panel.mp4")
    recording_id, panel_id = recording.id, recording.panel_id
    jobs.run_recording_job.call_local(recording.jobs[0].id)
    queued_tasks()  # the transcode's own message, already run above
    before = poster_bytes(recording_id)

    client = login()
    token = csrf_token(client.get(f"/studio/panels/{panel_id}/").get_data(as_text=True))
    response = client.post(f"/studio/recordings/{recording_id}/poster", data={"csrf_token": token, "at": "0:03"})
    assert "The new poster is being taken" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert poster_bytes(recording_id) == before  # no ffmpeg ran in the request

    (task,) = queued_tasks()
    assert task.name.endswith("render_poster")
    queue.execute(task)  # what the worker does
    after = poster_bytes(recording_id)
    assert after[:2] == b"\xff\xd8" and after != before
    assert db.session.get(Recording, recording_id).poster_time == 3.0

    # a moment past the end is refused at once, with nothing queued
    response = client.post(f"/studio/recordings/{recording_id}/poster", data={"csrf_token": token, "at": "9:00"})
    assert "please choose an earlier moment" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert queued_tasks() == []
