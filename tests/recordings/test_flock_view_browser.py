"""The player's view switch on a panel with feathered friends, in real Chromium:
what the switch offers, ?view=flock, switching sources, and a "bird only" seat."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from eventsite import jobs
from eventsite.events.models import Consent
from eventsite.extensions import db
from eventsite.flock.synth import DEMO_VOICES, speak_script
from eventsite.recordings.models import JobKind, JobStatus, Recording, RecordingJob, RenditionKind
from eventsite.recordings.operations import store_original
from tests.conftest import assert_no_axe_violations
from tests.ready_panel import panel_path, wait_for, wait_for_player

pytestmark = pytest.mark.browser

LINES = [(0, "Welcome to the panel."), (1, "Influence always has a topic.")]
#: what the player is playing: the HLS master hls.js loaded, or the file the <video> plays
PLAYING = "eventsitePlayer.hls ? eventsitePlayer.hls.url : eventsitePlayer.video.currentSrc"


@pytest.fixture(scope="module")
def camera_clip(tmp_path_factory):
    """A 320×240 camera picture with two espeak-ng voices talking: about 4 s."""
    folder = tmp_path_factory.mktemp("camera")
    script = speak_script(LINES, DEMO_VOICES, folder, gap=0.4, lead=0.3)
    clip = folder / "panel.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25",
         "-i", str(script.mixed), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(clip)],
        check=True,
    )  # fmt: skip
    return clip


@pytest.fixture
def app(app):
    app.config.update(TRANSCODE_LADDER=(144,), CARTOON_HEIGHT=144, FLOCK_ENABLED=True)
    return app


@pytest.fixture
def flock_panel(app_ctx, make_panel, make_panelist, camera_clip, tmp_path):
    """A published panel whose camera recording was transcoded and drawn as birds."""
    panel = make_panel()
    make_panelist("Gemma Went", panel=panel, position=0, consent=Consent.VIDEO)
    make_panelist("Azeem Azhar", panel=panel, position=1, consent=Consent.VIDEO)
    copy = tmp_path / "upload.mp4"
    shutil.copy(camera_clip, copy)
    recording = store_original(copy, panel, "panel.mp4")
    jobs.run_recording_job.call_local(recording.jobs[0].id)
    db.session.expire_all()
    flock = db.session.scalar(sa.select(RecordingJob).where(RecordingJob.kind == JobKind.FLOCK))
    jobs.run_recording_job.call_local(flock.id)
    db.session.expire_all()
    assert db.session.get(RecordingJob, flock.id).status is JobStatus.SUCCEEDED
    return panel, db.session.get(Recording, recording.id)


def switch(page):
    """The player's own "Watch as" switch (the page may have other view links)."""
    return page.locator(".player-version")


def choices(page) -> list[str]:
    return [label.strip() for label in page.locator(".player-version label").all_inner_texts()]


def open_player(page, path: str) -> None:
    page.goto(path)
    wait_for_player(page)


def test_the_switch_opens_on_the_flock_and_changes_the_source(page, flock_panel):
    panel, _recording = flock_panel
    open_player(page, panel_path(panel))
    assert choices(page) == ["Video", "Cartoon", "Feathered friends", "Audio only"]
    expect(switch(page).get_by_role("radio", name="Video")).to_be_checked()
    assert "/flock/" not in page.evaluate(PLAYING)

    open_player(page, panel_path(panel, view="flock"))
    expect(switch(page).get_by_role("radio", name="Feathered friends")).to_be_checked()
    wait_for(page, f"({PLAYING}).includes('/flock/')")
    page.screenshot(path="/tmp/flock-view.png", full_page=True)
    assert_no_axe_violations(page)

    switch(page).get_by_role("radio", name="Video").check()
    wait_for(page, f"!({PLAYING}).includes('/flock/') && ({PLAYING}).includes('/renditions/')")
    expect(page.locator("[data-player-status]")).to_have_text("Playing the video.")
    switch(page).get_by_role("radio", name="Cartoon").check()
    wait_for(page, f"({PLAYING}).includes('/cartoon/')")
    switch(page).get_by_role("radio", name="Feathered friends").check()
    wait_for(page, f"({PLAYING}).includes('/flock/')")


def test_a_bird_only_seat_leaves_only_birds_and_sound(page, flock_panel):
    panel, recording = flock_panel
    panel.seats[1].consent = Consent.BIRD
    db.session.commit()
    open_player(page, panel_path(panel, view="video"))  # asked for, but not allowed: the birds instead
    assert choices(page) == ["Feathered friends", "Audio only"]
    expect(switch(page).get_by_role("radio", name="Feathered friends")).to_be_checked()
    wait_for(page, f"({PLAYING}).includes('/flock/')")
    html = page.content()
    camera = [
        r for r in recording.renditions if r.kind in (RenditionKind.MP4, RenditionKind.HLS, RenditionKind.CARTOON)
    ]
    assert camera
    for rendition in camera:
        assert rendition.storage_key not in html
        assert page.request.get(f"/media/{rendition.storage_key}").status == 404, rendition.storage_key
    flock = next(r for r in recording.renditions if r.kind is RenditionKind.FLOCK)
    assert page.request.get(f"/media/{flock.storage_key}").status == 200
    assert_no_axe_violations(page)
