"""The flock job end to end: real espeak-ng speech, real ffmpeg, real PocketSphinx,
real rows; and the consent rules on the media it makes."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import sqlalchemy as sa

from eventsite import jobs
from eventsite.events.models import Consent, View
from eventsite.extensions import db
from eventsite.flock.scene import FlockScene
from eventsite.flock.synth import DEMO_VOICES, speak_script, write_webvtt
from eventsite.recordings.captions import save_caption
from eventsite.recordings.models import JobKind, JobStatus, RecordingJob, RenditionKind
from eventsite.recordings.operations import store_original
from eventsite.recordings.player import player_media
from eventsite.storage import media_store
from tests.ready_panel import panel_path

NAMES = ["Gemma Went", "Azeem Azhar"]
LINES = [(0, "Welcome to the panel. What is influence?"), (1, "Influence always has a topic."), (0, "Cheep cheep!")]


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """Two voices as an AAC file, and WebVTT captions naming who speaks."""
    folder = tmp_path_factory.mktemp("spoken")
    script = speak_script(LINES, DEMO_VOICES, folder, gap=0.4)
    audio = folder / "panel.m4a"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(script.mixed), "-c:a", "aac", str(audio)], check=True
    )
    return audio, write_webvtt(script.cues, NAMES, folder / "captions.vtt").read_bytes(), script


def audio_packets(path) -> list[str]:
    """The MD5 of each packet of the file's first sound, in order."""
    argv = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0", "-c", "copy", "-f", "framemd5", "-"]
    lines = subprocess.run(argv, capture_output=True, text=True, check=True).stdout.splitlines()
    return [line.rsplit(",", 1)[1].strip() for line in lines if line and not line.startswith("#")]


@pytest.fixture
def app(app):
    app.config.update(TRANSCODE_LADDER=(144,), CARTOON_HEIGHT=144, FLOCK_ENABLED=True)
    return app


@pytest.fixture
def flocked(app_ctx, make_panel, make_panelist, spoken, tmp_path):
    """A panel whose recording has been transcoded and drawn as birds (Azeem: bird only)."""
    audio, vtt, _script = spoken
    panel = make_panel()
    make_panelist("Gemma Went", panel=panel, position=0, consent=Consent.VIDEO)
    make_panelist("Azeem Azhar", panel=panel, position=1, consent=Consent.BIRD)
    copy = tmp_path / "upload.m4a"
    shutil.copy(audio, copy)
    recording = store_original(copy, panel, "panel.m4a")
    save_caption(recording, "en", "English", vtt)
    transcode_job = recording.jobs[0]
    jobs.run_recording_job.call_local(transcode_job.id)
    db.session.expire_all()
    flock_job = db.session.scalar(sa.select(RecordingJob).where(RecordingJob.kind == JobKind.FLOCK))
    assert flock_job is not None, "a successful transcode queues the flock job"
    jobs.run_recording_job.call_local(flock_job.id)
    db.session.expire_all()
    return panel, recording, db.session.get(RecordingJob, flock_job.id)


def test_a_transcode_is_followed_by_the_birds(flocked):
    panel, recording, job = flocked
    assert job.status is JobStatus.SUCCEEDED, (job.error, job.stderr_tail)
    kinds = {r.kind for r in recording.renditions}
    assert {RenditionKind.FLOCK, RenditionKind.FLOCK_HLS, RenditionKind.FLOCK_POSTER, RenditionKind.TIMELINE} <= kinds
    timeline = jobs.flock_job.read_timeline(recording)
    assert timeline.source == "captions" and timeline.speakers == NAMES
    # The birds' soundtrack is the site's own AAC (audio.m4a), copied packet for packet, not encoded again.
    store = media_store()
    sound, birds = (
        audio_packets(store.path(next(r for r in recording.renditions if r.kind is kind).storage_key))
        for kind in (RenditionKind.AUDIO, RenditionKind.FLOCK)
    )
    # (The first packet's hash differs: it carries the encoder's priming as side data.)
    assert len(birds) >= len(sound) - 2 and birds[1:] == sound[1 : len(birds)]
    # Both panelists speak, in the order of the script.
    order = [turn.speaker for turn in timeline.turns]
    assert [s for i, s in enumerate(order) if i == 0 or s != order[i - 1]] == [0, 1, 0]


def test_a_bird_only_seat_keeps_the_camera_renditions_from_the_public(flocked, client, login):
    panel, recording, _job = flocked
    media = player_media(panel)
    assert media.views == [View.FLOCK, View.AUDIO] and media.view is View.FLOCK
    assert media.mp4s[0].kind is RenditionKind.FLOCK and media.poster.kind is RenditionKind.FLOCK_POSTER
    camera = [r for r in recording.renditions if r.kind in (RenditionKind.MP4, RenditionKind.HLS, RenditionKind.POSTER)]
    assert camera
    for rendition in camera:
        assert client.get(f"/media/{rendition.storage_key}").status_code == 404, rendition.storage_key
    flock_mp4 = next(r for r in recording.renditions if r.kind is RenditionKind.FLOCK)
    assert client.get(f"/media/{flock_mp4.storage_key}").status_code == 200
    html = client.get(panel_path(panel)).get_data(as_text=True)
    assert "/flock/" in html and all(r.storage_key not in html for r in camera)
    assert "Feathered friends" in html and 'value="video"' not in html
    # Organisers still reach everything (to check the recording).
    organiser = login()
    assert organiser.get(f"/media/{camera[0].storage_key}").status_code == 200


def test_with_everyone_agreeing_to_video_the_panel_offers_every_view(flocked, client):
    panel, _recording, _job = flocked
    for seat in panel.seats:
        seat.consent = Consent.VIDEO
    panel.default_view = View.FLOCK
    db.session.commit()
    media = player_media(panel, requested="audio")
    assert View.FLOCK in media.views and View.AUDIO in media.views and media.view is View.AUDIO
    # An audio-only talk's camera "video" is a title card: with birds drawn, they are its picture.
    assert View.VIDEO not in media.views
    html = client.get(panel_path(panel, view="flock")).get_data(as_text=True)
    assert 'value="flock" checked' in html


def test_the_streamed_flock_carries_no_caption_box(flocked, spoken):
    """The player draws the caption track, so the flock it streams has none burned in (one caption
    layer): mid-cue, the caption band of the job's video is the bare background, as the same frame
    drawn without captions, far from the frame drawn with them."""
    _panel, recording, job = flocked
    assert job.status is JobStatus.SUCCEEDED, (job.error, job.stderr_tail)
    _audio, _vtt, script = spoken
    cue = script.cues[1]
    at = (cue.start + cue.end) / 2
    video = media_store().path(next(r for r in recording.renditions if r.kind is RenditionKind.FLOCK).storage_key)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{at:.3f}", "-i", str(video), "-frames:v", "1"]
        + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    shown = np.frombuffer(raw, np.uint8).reshape(720, 1280, 3).astype(np.int16)
    timeline = jobs.flock_job.read_timeline(recording)
    birds = jobs.flock_job.bird_specs(recording)
    frame = round(at * timeline.fps)
    look = {"colours": jobs.flock_job.SKY, "title": _panel.title}
    bare = np.asarray(FlockScene(timeline, birds, **look).draw(frame), np.int16)
    boxed = FlockScene(timeline, birds, captions=[(cue.start, cue.end, "Influence always has a topic.")], **look)
    boxed = np.asarray(boxed.draw(frame), np.int16)
    band = slice(720 - 130, 720 - 10)  # where a burned-in caption box sits
    assert np.abs(boxed[band] - bare[band]).mean() > 10  # the check would see a box
    assert np.abs(shown[band] - bare[band]).mean() < 3  # and there is none
