"""Only a panel's current recording is public; organisers can delete a recording and its files."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from eventsite.extensions import db
from eventsite.recordings.models import JobStatus, Recording, RecordingJob
from tests.conftest import csrf_token
from tests.ready_panel import panel_path


def _files(recording: Recording) -> dict[str, str]:
    """One URL of each sort of file the recording has: each rendition, an HLS segment, its caption."""
    urls = {r.kind.value: f"/media/{r.storage_key}" for r in recording.renditions}
    folder = next(r.storage_key for r in recording.renditions if r.kind.value == "hls").rsplit("/", 1)[0]
    segment = next(p for p in sorted(Path(current_app.config["MEDIA_ROOT"], folder).rglob("*.m4s")))
    urls["hls-segment"] = f"/media/{folder}/{segment.relative_to(Path(current_app.config['MEDIA_ROOT'], folder))}"
    urls["caption"] = f"/captions/{recording.captions[0].id}.vtt"
    return urls


def test_older_recordings_media_is_404_for_the_public_but_not_for_organisers(
    app, client, login, ready_panel, add_ready_recording
):
    old = ready_panel.recordings[0]
    new = add_ready_recording(ready_panel)
    old_files, new_files = _files(old), _files(new)
    assert Path(app.config["MEDIA_ROOT"], old.renditions[0].storage_key).is_file()

    for name, url in new_files.items():
        assert client.get(url).status_code in (200, 206), (name, url)
    for name, url in old_files.items():
        assert client.get(url).status_code == 404, (name, url)
    page = client.get(panel_path(ready_panel)).get_data(as_text=True)
    assert f"/recordings/{new.id}/" in page and f"/recordings/{old.id}/" not in page

    organiser = login()
    for name, url in old_files.items():
        assert organiser.get(url).status_code in (200, 206), (name, url)


def test_a_newer_recording_that_is_not_ready_leaves_the_ready_one_public(client, ready_panel):
    ready = ready_panel.recordings[0]
    db.session.add(Recording(panel=ready_panel, original_key="recordings/99/original.mp4", status="processing"))
    db.session.commit()
    assert client.get(f"/media/{ready.renditions[0].storage_key}").status_code in (200, 206)


def test_organiser_deletes_an_old_recording_and_its_files(app, client, login, ready_panel, add_ready_recording):
    old = ready_panel.recordings[0]
    add_ready_recording(ready_panel)
    old_id, folder = old.id, Path(app.config["MEDIA_ROOT"], f"recordings/{old.id}")
    assert folder.is_dir()
    organiser = login()

    confirm = organiser.get(f"/studio/recordings/{old_id}/delete")
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "cannot be undone" in text and "plays this recording now" not in text
    # A GET alone deletes nothing, and a POST without the form's token neither.
    assert organiser.post(f"/studio/recordings/{old_id}/delete").status_code == 400
    assert db.session.get(Recording, old_id) is not None and folder.is_dir()

    done = organiser.post(f"/studio/recordings/{old_id}/delete", data={"csrf_token": csrf_token(text)})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Recording, old_id) is None
    assert not folder.exists()
    assert "and its files deleted" in organiser.get(done.headers["Location"]).get_data(as_text=True)
    # The panel still plays its current recording.
    assert "/master.m3u8" in client.get(panel_path(ready_panel)).get_data(as_text=True)


def test_deleting_the_current_recording_warns_and_the_page_falls_back(login, client, ready_panel):
    recording = ready_panel.recordings[0]
    organiser = login()
    text = organiser.get(f"/studio/recordings/{recording.id}/delete").get_data(as_text=True)
    assert "The public page plays this recording now" in text
    organiser.post(f"/studio/recordings/{recording.id}/delete", data={"csrf_token": csrf_token(text)})
    assert "The video of this panel will appear here" in client.get(panel_path(ready_panel)).get_data(as_text=True)


def test_delete_cancels_a_queued_job_first(app, login, ready_panel):
    recording = ready_panel.recordings[0]
    job = RecordingJob(recording_id=recording.id, status=JobStatus.QUEUED)
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    organiser = login()
    text = organiser.get(f"/studio/recordings/{recording.id}/delete").get_data(as_text=True)
    assert "it will be stopped first" in text
    organiser.post(f"/studio/recordings/{recording.id}/delete", data={"csrf_token": csrf_token(text)})
    db.session.expire_all()
    assert db.session.get(RecordingJob, job_id) is None and db.session.get(Recording, recording.id) is None


def test_delete_refuses_while_a_running_job_does_not_stop(app, ready_panel):
    from eventsite.studio.recording_removal import RecordingBusy, delete_recording

    recording = ready_panel.recordings[0]
    db.session.add(RecordingJob(recording_id=recording.id, status=JobStatus.RUNNING))
    db.session.commit()
    try:
        delete_recording(recording, wait_seconds=0.3)
    except RecordingBusy as exc:
        assert "still stopping" in str(exc)
    else:
        raise AssertionError("deleted while its job ran")
    assert db.session.get(Recording, recording.id) is not None
    assert recording.jobs[0].cancel_requested


def test_the_studio_links_to_the_delete_page(login, ready_panel):
    page = login().get(f"/studio/panels/{ready_panel.id}/").get_data(as_text=True)
    assert f"/studio/recordings/{ready_panel.recordings[0].id}/delete" in page
