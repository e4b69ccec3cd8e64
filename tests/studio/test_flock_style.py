"""Organisers choose how the feathered friends are filmed: line-up or directed."""

from __future__ import annotations

import subprocess

import numpy as np

from eventsite import jobs
from eventsite.extensions import db
from eventsite.flock.scene import DIRECTED, FlockScene
from eventsite.recordings.models import RenditionKind
from eventsite.storage import media_store
from eventsite.studio.speech import redraw
from tests.conftest import csrf_token
from tests.studio.test_speech_editor import app, flocked, run_queued_flock, spoken  # noqa: F401 (fixtures)


def test_the_panel_form_chooses_a_directed_flock(login, app_ctx, make_panel):
    panel = make_panel()
    assert panel.flock_style == "lineup"  # every panel drawn before keeps its look
    client = login()
    page = client.get(f"/studio/panels/{panel.id}/").get_data(as_text=True)
    assert "Feathered friends are filmed" in page and 'value="directed"' in page
    response = client.post(
        f"/studio/panels/{panel.id}/",
        data={"csrf_token": csrf_token(page), "title": panel.title, "flock_style": "directed"},
    )
    assert response.status_code == 302
    db.session.refresh(panel)
    assert panel.flock_style == "directed"
    response = client.post(
        f"/studio/panels/{panel.id}/",
        data={"csrf_token": csrf_token(page), "title": panel.title, "flock_style": "sideways"},
    )
    assert response.status_code in (200, 400) and "Not a valid choice" in response.get_data(as_text=True)
    db.session.refresh(panel)
    assert panel.flock_style == "directed"


def test_a_directed_panel_gets_a_directed_flock(flocked):  # noqa: F811 (the fixture)
    """The organiser's choice reaches the drawing: past the opening wide shot the camera is in
    close on the speaker, as the directed scene frames it, not the line-up's fixed view."""
    panel, recording = flocked
    panel.flock_style = DIRECTED
    db.session.commit()
    assert redraw(recording) is not None
    run_queued_flock(recording)
    timeline = jobs.flock_job.read_timeline(recording)
    birds = jobs.flock_job.bird_specs(recording)
    look = {"colours": jobs.flock_job.SKY, "title": panel.title}
    directed = FlockScene(timeline, birds, style=DIRECTED, **look)
    frame = next(f for f in range(directed.frames) if directed.camera.box(f) is not None) + 12
    video = media_store().path(next(r for r in recording.renditions if r.kind is RenditionKind.FLOCK).storage_key)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(video), "-vf", f"select=eq(n\\,{frame})", "-frames:v", "1"]
        + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    shown = np.frombuffer(raw, np.uint8).reshape(720, 1280, 3).astype(np.int16)
    lineup = FlockScene(timeline, birds, **look)
    near = np.abs(shown - np.asarray(directed.draw(frame), np.int16)).mean()
    far = np.abs(shown - np.asarray(lineup.draw(frame), np.int16)).mean()
    assert near < 4 < far, (near, far)
