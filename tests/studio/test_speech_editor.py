"""The studio's speech timeline: see who speaks when, name clustered voices, reassign,
split and merge turns, with plain forms; real espeak-ng voices, real ffmpeg, real flock job."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from eventsite import jobs
from eventsite.events.models import Consent
from eventsite.extensions import db
from eventsite.flock.listen import CLUSTERED_NOTE
from eventsite.flock.synth import DEMO_VOICES, speak_script
from eventsite.recordings.models import JobKind, JobStatus, Recording, TranscodeJob
from eventsite.recordings.operations import store_original
from tests.conftest import csrf_token

NAMES = ["Gemma Went", "Azeem Azhar"]
LINES = [
    (0, "Welcome to the panel. Today we ask what influence really is."),
    (1, "Influence always has a topic. Nobody is influential about everything."),
    (0, "So trust comes first, and reach comes second?"),
    (1, "Exactly. Cheep cheep!"),
]


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """Two espeak-ng voices on one track, as AAC: nothing names who speaks."""
    folder = tmp_path_factory.mktemp("spoken")
    script = speak_script(LINES, DEMO_VOICES, folder, gap=0.6)
    audio = folder / "panel.m4a"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(script.mixed), "-c:a", "aac", str(audio)], check=True
    )
    return audio


@pytest.fixture
def app(app):
    app.config.update(TRANSCODE_LADDER=(144,), CARTOON_HEIGHT=144, FLOCK_ENABLED=True)
    return app


def run_queued_flock(recording: Recording) -> TranscodeJob:
    """Run the newest queued flock job of ``recording`` as a worker would."""
    job = db.session.scalar(
        sa.select(TranscodeJob)
        .where(TranscodeJob.recording_id == recording.id, TranscodeJob.kind == JobKind.FLOCK)
        .order_by(TranscodeJob.id.desc())
    )
    assert job is not None and job.status is JobStatus.QUEUED
    jobs.run_transcode_job.call_local(job.id)
    db.session.expire_all()
    job = db.session.get(TranscodeJob, job.id)
    assert job.status is JobStatus.SUCCEEDED, (job.error, job.stderr_tail)
    return job


@pytest.fixture
def flocked(app_ctx, make_panel, make_panelist, spoken, tmp_path):
    """A panel of two whose recording was transcoded and drawn as birds, voices clustered."""
    panel = make_panel()
    for position, name in enumerate(NAMES):
        make_panelist(name, panel=panel, position=position, consent=Consent.VIDEO)
    copy = tmp_path / "upload.m4a"
    shutil.copy(spoken, copy)
    recording = store_original(copy, panel, "panel.m4a")
    jobs.run_transcode_job.call_local(recording.jobs[0].id)
    db.session.expire_all()
    run_queued_flock(recording)
    return panel, db.session.get(Recording, recording.id)


def speech_page(client, recording) -> str:
    response = client.get(f"/studio/recordings/{recording.id}/speech")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def turns(recording) -> list:
    return jobs.flock_job.read_timeline(recording).turns


def post_turn(client, recording, turn, **fields):
    token = csrf_token(speech_page(client, recording))
    data = {"csrf_token": token, "start": turn.start, "end": turn.end, **fields}
    return client.post(f"/studio/recordings/{recording.id}/speech/turn", data=data)


def test_the_strip_shows_every_turn_and_asks_to_name_the_voices(flocked, login):
    panel, recording = flocked
    client = login()
    html = speech_page(client, recording)
    timeline = jobs.flock_job.read_timeline(recording)
    assert timeline.source == "clusters" and len(timeline.turns) >= 2
    # one block on the strip and one row of forms per turn
    assert html.count('class="speech-turn"') == len(timeline.turns)
    assert len(re.findall(r'<tr id="turn-\d+"', html)) == len(timeline.turns)
    assert "Speaker 1" in html and "Speaker 2" in html and "Name the voices" in html
    assert CLUSTERED_NOTE in html
    # the panel page's job monitor tells the organiser too, and links here
    panel_html = client.get(f"/studio/panels/{panel.id}/").get_data(as_text=True)
    assert CLUSTERED_NOTE in panel_html and f"/studio/recordings/{recording.id}/speech" in panel_html


def test_a_voice_sample_is_a_few_seconds_for_organisers_only(flocked, login, client):
    _panel, recording = flocked
    url = f"/studio/recordings/{recording.id}/speech/samples/0.m4a"
    assert client.get(url).status_code in (302, 401)  # not signed in: the studio is closed
    organiser = login()
    response = organiser.get(url)
    assert response.status_code == 200 and response.mimetype == "audio/mp4"
    assert "private" in response.headers["Cache-Control"]
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", "-"],
        input=response.data,
        capture_output=True,
        check=True,
    )
    assert 0.5 < float(json.loads(probe.stdout)["format"]["duration"]) <= 6.2
    assert organiser.get(url).data == response.data  # cut once, then served from the cache
    assert organiser.get(f"/studio/recordings/{recording.id}/speech/samples/7.m4a").status_code == 404


def test_naming_the_voices_is_kept_and_the_birds_are_drawn_again(flocked, login):
    _panel, recording = flocked
    client = login()
    before = turns(recording)
    token = csrf_token(speech_page(client, recording))
    # the voices were told apart in the other order: swap them
    response = client.post(
        f"/studio/recordings/{recording.id}/speech/names",
        data={"csrf_token": token, "voice-0": "1", "voice-1": "0"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "The voices are named" in html and "Name the voices" not in html
    assert "Speaker 1" not in html and "Gemma Went" in html
    db.session.expire_all()
    saved = recording.speech_corrections
    assert saved and all(op["op"] == "assign" and op["by"] == "naming" for op in saved)
    assert "saved but not in the feathered-friends video yet" in html
    run_queued_flock(recording)
    after = turns(recording)
    assert [1 - t.speaker for t in before] == [t.speaker for t in after]
    html = speech_page(client, recording)
    assert "not in the feathered-friends video yet" not in html and CLUSTERED_NOTE not in html


def test_reassign_split_and_merge_with_plain_forms(flocked, login):
    _panel, recording = flocked
    client = login()
    first = turns(recording)[0]
    other = 1 - first.speaker
    response = post_turn(client, recording, first, speaker=other, assign="1")
    assert response.status_code == 302
    db.session.expire_all()
    assert recording.speech_corrections == [{"op": "assign", "start": first.start, "end": first.end, "speaker": other}]
    # shown at once, before the birds are drawn again
    html = speech_page(client, recording)
    choice = re.search(r'id="turn-1-speaker"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert f'<option value="{other}" selected' in choice

    middle = (first.start + first.end) / 2
    response = post_turn(client, recording, first, at=f"{middle:.2f}", split="1")
    assert response.status_code == 302
    html = speech_page(client, recording)
    assert html.count('class="speech-turn"') == len(turns(recording)) + 1

    run_queued_flock(recording)
    drawn = turns(recording)
    assert drawn[0].end == pytest.approx(middle, abs=0.01) and drawn[0].speaker == other
    response = post_turn(client, recording, drawn[0], merge="1")
    assert response.status_code == 302
    html = speech_page(client, recording)
    assert html.count('class="speech-turn"') == len(drawn) - 1


def test_impossible_changes_are_refused_in_plain_words(flocked, login):
    _panel, recording = flocked
    client = login()
    first = turns(recording)[0]
    response = post_turn(client, recording, first, at=f"{first.end + 5:.1f}", split="1")
    assert response.status_code == 422 and "Split inside the turn" in response.get_data(as_text=True)
    stale = type(first)(first.start + 0.5, first.end, first.speaker)
    response = post_turn(client, recording, stale, speaker=0, assign="1")
    assert response.status_code == 422 and "has changed since the page was loaded" in response.get_data(as_text=True)
    response = client.post(
        f"/studio/recordings/{recording.id}/speech/turn", data={"start": first.start, "end": first.end, "speaker": 0}
    )
    assert response.status_code == 400  # no CSRF token
    db.session.expire_all()
    assert not recording.speech_corrections


def test_corrections_survive_a_new_transcode(flocked, login):
    _panel, recording = flocked
    client = login()
    first = turns(recording)[0]
    post_turn(client, recording, first, speaker=-1, assign="1")
    run_queued_flock(recording)
    token = csrf_token(speech_page(client, recording))
    client.post(f"/studio/recordings/{recording.id}/transcode", data={"csrf_token": token})
    transcode = db.session.scalar(
        sa.select(TranscodeJob).where(TranscodeJob.kind == JobKind.TRANSCODE).order_by(TranscodeJob.id.desc())
    )
    jobs.run_transcode_job.call_local(transcode.id)
    db.session.expire_all()
    run_queued_flock(recording)
    timeline = jobs.flock_job.read_timeline(recording)
    assert timeline.speaker_at((first.start + first.end) / 2) == -1
    assert "Unknown speaker" in speech_page(client, recording)


def test_seats_without_recorded_consent_are_flagged(app_ctx, make_panel, make_panelist, login):
    panel = make_panel()
    make_panelist("Gemma Went", panel=panel, consent=Consent.VIDEO)
    person = make_panelist("Azeem Azhar", panel=panel, position=1, consent=None)
    client = login()
    html = client.get(f"/studio/panels/{panel.id}/").get_data(as_text=True)
    assert "Consent not recorded" in html
    warning = html.split('id="consent-warnings"')[1].split("</section>")[0]
    assert "Azeem Azhar" in warning and "Gemma Went" not in warning
    token = csrf_token(html)
    form = {"seat-panelist_id": person.id, "seat-role": "panelist", "seat-position": 1, "seat-consent": "cartoon"}
    client.post(f"/studio/panels/{panel.id}/seats", data={"csrf_token": token, **form})
    html = client.get(f"/studio/panels/{panel.id}/").get_data(as_text=True)
    assert "Consent not recorded" not in html


@pytest.mark.browser
def test_the_strip_seeks_the_player_in_chromium(flocked, page, make_organiser):
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD, assert_no_axe_violations
    from tests.ready_panel import wait_for

    panel, recording = flocked
    make_organiser()
    page.goto("/login")
    page.get_by_label("Email").fill("organiser@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/studio/recordings/{recording.id}/speech")
    wait_for(page, "document.getElementById('speech-player').readyState >= 1")
    second = turns(recording)[1]
    page.locator(".speech-turn").nth(1).click()
    wait_for(page, f"document.getElementById('speech-player').currentTime >= {second.start - 0.05}")
    expect(page.locator("#turn-2")).to_have_class(re.compile("is-playing"))
    # "Use the player's time" fills the split field of a row
    page.get_by_role("button", name="Play the turn at").first.click()
    page.locator("#turn-1 button", has_text="Use the player's time").click()
    assert page.locator("#turn-1-at").input_value().startswith("0:0")
    page.screenshot(path="/tmp/speech-editor.png", full_page=True)
    assert_no_axe_violations(page)
    panel.seats[1].consent = None
    db.session.commit()
    page.goto(f"/studio/panels/{panel.id}/")
    expect(page.get_by_role("heading", name="Consent not recorded")).to_be_visible()
    page.screenshot(path="/tmp/studio-panel.png", full_page=True)
