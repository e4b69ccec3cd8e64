"""The studio's speech timeline: see who speaks when, name clustered voices, reassign,
split and merge turns, with plain forms; real espeak-ng voices, real ffmpeg, real flock job."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from eventsite import jobs, signals
from eventsite.events.models import Consent
from eventsite.extensions import db
from eventsite.flock.listen import CLUSTERED_NOTE
from eventsite.flock.synth import DEMO_VOICES, speak_script
from eventsite.flock.timeline import held_turns
from eventsite.recordings.captions import captions_of, parse_captions, read_cues
from eventsite.recordings.models import CaptionSource, JobKind, JobStatus, Recording, RecordingJob
from eventsite.recordings.operations import store_original
from eventsite.storage import media_store
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


def run_queued_flock(recording: Recording) -> RecordingJob:
    """Run the newest queued flock job of ``recording`` as a worker would."""
    job = db.session.scalar(
        sa.select(RecordingJob)
        .where(RecordingJob.recording_id == recording.id, RecordingJob.kind == JobKind.FLOCK)
        .order_by(RecordingJob.id.desc())
    )
    assert job is not None and job.status is JobStatus.QUEUED
    jobs.run_recording_job.call_local(job.id)
    db.session.expire_all()
    job = db.session.get(RecordingJob, job.id)
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
    jobs.run_recording_job.call_local(recording.jobs[0].id)
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
        sa.select(RecordingJob).where(RecordingJob.kind == JobKind.TRANSCODE).order_by(RecordingJob.id.desc())
    )
    jobs.run_recording_job.call_local(transcode.id)
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


def test_corrections_saved_while_the_birds_are_drawn_reach_the_video(flocked, login):
    """Fixes saved while the flock job draws (the organiser keeps correcting) are drawn by the
    same job before it ends: the published birds have every saved correction, none is left over."""
    _panel, recording = flocked
    client = login()
    first = turns(recording)[0]
    token = csrf_token(speech_page(client, recording))
    client.post(f"/studio/recordings/{recording.id}/speech/redraw", data={"csrf_token": token})
    saved = []

    def organiser_corrects(sender, **_):
        if not saved:  # the first drawing has just gone live; the job still runs
            saved.append(post_turn(client, recording, first, speaker=1 - first.speaker, assign="1").status_code)

    signals.flock_drawn.connect(organiser_corrects)
    try:
        run_queued_flock(recording)
    finally:
        signals.flock_drawn.disconnect(organiser_corrects)
    assert saved == [302]
    assert turns(recording)[0].speaker == 1 - first.speaker
    html = speech_page(client, recording)
    assert "not in the feathered-friends video yet" not in html and "newer change" not in html


def test_the_please_check_notes_can_be_marked_as_checked(flocked, login):
    """The "please check" box goes away once marked, and a redraw noting the same thing does not bring it back."""
    _panel, recording = flocked
    client = login()
    html = speech_page(client, recording)
    assert "Feathered friends: please check" in html and CLUSTERED_NOTE in html
    response = client.post(
        f"/studio/recordings/{recording.id}/speech/checked",
        data={"csrf_token": csrf_token(html)},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Marked as checked" in html and "please check" not in html and CLUSTERED_NOTE not in html
    client.post(f"/studio/recordings/{recording.id}/speech/redraw", data={"csrf_token": csrf_token(html)})
    job = run_queued_flock(recording)
    assert CLUSTERED_NOTE in job.notes  # the job still notes it
    assert "please check" not in speech_page(client, recording)  # but the organiser has checked it
    response = client.post(f"/studio/recordings/{recording.id}/speech/checked", data={})
    assert response.status_code == 400  # no CSRF token


def test_changes_left_undrawn_are_offered_as_one_redraw(flocked, login):
    """When a redraw did not run (cancelled, failed), the page offers one button that names how many changes wait."""
    _panel, recording = flocked
    client = login()
    first = turns(recording)[0]
    post_turn(client, recording, first, speaker=1 - first.speaker, assign="1")
    db.session.expire_all()
    queued = db.session.scalar(
        sa.select(RecordingJob).where(RecordingJob.kind == JobKind.FLOCK, RecordingJob.status == JobStatus.QUEUED)
    )
    jobs.cancel_job(queued)
    html = speech_page(client, recording)
    assert "Draw the birds again with 1 newer change" in html


def test_turns_where_the_voices_were_hard_to_tell_are_marked_to_check_first(flocked, login):
    panel, recording = flocked
    client = login()
    assert "data-unsure" not in speech_page(client, recording)  # the two espeak voices are clear
    timeline = jobs.flock_job.read_timeline(recording)
    second = timeline.turns[1]
    timeline.uncertain = [[second.start + 0.1, second.start + 0.6]]
    key = next(r.storage_key for r in recording.renditions if r.kind.value == "timeline")
    media_store().save_bytes(key, timeline.to_json().encode())
    html = speech_page(client, recording)
    assert html.count("data-unsure>") == 1
    row = html[html.index('id="turn-2"') :]
    assert row.index("data-unsure") < row.index("</tr>")
    assert "1 turn is marked <strong>check</strong>" in html


def run_queued(recording: Recording, kind: JobKind) -> RecordingJob:
    """Run the newest queued job of ``kind`` for ``recording`` as a worker would."""
    job = db.session.scalar(
        sa.select(RecordingJob)
        .where(RecordingJob.recording_id == recording.id, RecordingJob.kind == kind)
        .order_by(RecordingJob.id.desc())
    )
    assert job is not None and job.status is JobStatus.QUEUED, f"no {kind} job queued"
    jobs.run_recording_job.call_local(job.id)
    db.session.expire_all()
    job = db.session.get(RecordingJob, job.id)
    assert job.status is JobStatus.SUCCEEDED, (job.error, job.stderr_tail)
    return job


def served_voices(client, recording) -> list[tuple[str, str]]:
    """(the served caption's voice, the bird lit as the cue's first word is said) of each cue while one is lit."""
    caption = captions_of(recording)[0]
    served = client.get(f"/captions/{caption.id}.vtt")
    assert served.status_code == 200
    held = held_turns(jobs.flock_job.read_timeline(recording).turns)

    def lit_at(seconds: float) -> str:
        return next((NAMES[t.speaker] for t in held if t.start <= seconds < t.end and t.speaker >= 0), "")

    pairs = [(cue.voice, lit_at(cue.start + 0.1)) for cue in parse_captions(served.data)]
    return [(voice, bird) for voice, bird in pairs if bird]


def correct_first_turn_and_redraw(client, recording):
    """The organiser gives the first turn to the other voice; the birds are drawn again (nothing else runs)."""
    first = turns(recording)[0]
    post_turn(client, recording, first, speaker=1 - first.speaker, assign="1")
    run_queued_flock(recording)
    return first


def test_automatic_captions_name_the_bird_lit_after_a_correction(app, flocked, login):
    """The caption file the player shows names, in every cue, the bird the flock lights then, as soon
    as a corrected drawing is live (the issue: one name read while another bird was lit)."""
    app.config["AUTO_CAPTIONS_ENABLED"] = True
    _panel, recording = flocked
    jobs.queue_auto_captions(recording)
    run_queued(recording, JobKind.CAPTIONS)
    client = login()
    pairs = served_voices(client, recording)
    assert pairs and all(voice == bird for voice, bird in pairs), pairs
    correct_first_turn_and_redraw(client, recording)
    pairs = served_voices(client, recording)
    assert pairs and all(voice == bird for voice, bird in pairs), pairs
    # the caption job that follows the flock cues them again from the words: still the lit bird
    run_queued(recording, JobKind.CAPTIONS)
    caption = captions_of(recording)[0]
    assert caption.source is CaptionSource.AUTOMATIC and caption.voices_from_timeline
    assert all(voice == bird for voice, bird in served_voices(client, recording))


def test_a_transcript_that_named_nobody_follows_corrections_and_a_named_one_keeps_its_names(flocked, login):
    _panel, recording = flocked
    client = login()
    tools = f"/studio/panels/{recording.panel_id}/transcript"
    plain = "\n\n".join(line for _speaker, line in LINES)
    token = csrf_token(client.get(tools).get_data(as_text=True))
    assert client.post(f"{tools}/align", data={"transcript": plain, "csrf_token": token}).status_code == 302
    run_queued(recording, JobKind.ALIGN)
    assert captions_of(recording)[0].voices_from_timeline  # nobody named: voiced from the timeline
    correct_first_turn_and_redraw(client, recording)
    pairs = served_voices(client, recording)
    assert pairs and all(voice == bird for voice, bird in pairs), pairs
    # names the organiser wrote stay as written, whatever the birds do
    named = "\n\n".join(f"{NAMES[speaker]}: {line}" for speaker, line in LINES)
    token = csrf_token(client.get(tools).get_data(as_text=True))
    client.post(f"{tools}/align", data={"transcript": named, "csrf_token": token})
    run_queued(recording, JobKind.ALIGN)
    written = [c.voice for c in read_cues(captions_of(recording)[0])]
    correct_first_turn_and_redraw(client, recording)
    assert [c.voice for c in read_cues(captions_of(recording)[0])] == written
