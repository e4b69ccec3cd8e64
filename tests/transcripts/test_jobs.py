"""The caption jobs through the real job layer: automatic drafts, pasted transcripts aligned."""

from __future__ import annotations

import sqlalchemy as sa

from eventsite import jobs
from eventsite.extensions import db
from eventsite.flock.timeline import SpeechTimeline, Turn
from eventsite.jobs import queue_auto_captions
from eventsite.recordings.captions import captions_of, read_cues, save_caption
from eventsite.recordings.models import CaptionSource, JobKind, JobStatus, RecordingJob, Rendition, RenditionKind
from eventsite.storage import media_store
from tests.conftest import csrf_token

from .conftest import SCRIPT, SEATS, TOLERANCE, transcript_text


def _run_latest(recording, kind: JobKind) -> RecordingJob:
    job = db.session.scalar(
        sa.select(RecordingJob)
        .where(RecordingJob.recording_id == recording.id, RecordingJob.kind == kind)
        .order_by(RecordingJob.id.desc())
    )
    jobs.run_recording_job.call_local(job.id)
    db.session.expire_all()
    return db.session.get(RecordingJob, job.id)


def _store_timeline(recording, spoken) -> None:
    """The speech timeline a flock job would have stored: who speaks when (here, the truth)."""
    timeline = SpeechTimeline(
        duration=spoken.duration,
        speakers=SEATS,
        turns=[Turn(c.start, c.end, c.speaker) for c in spoken.cues],
        mouths="",
        source="channels",
    )
    key = f"recordings/{recording.id}/renditions/flock/timeline.json"
    media_store().save_bytes(key, timeline.to_json().encode())
    recording.renditions.append(Rendition(kind=RenditionKind.TIMELINE, label="Speech timeline", storage_key=key))
    db.session.commit()


def test_automatic_captions_are_a_voiced_draft(app, spoken_panel):
    app.config["AUTO_CAPTIONS_ENABLED"] = True
    recording = spoken_panel.recording
    _store_timeline(recording, spoken_panel.script)
    assert queue_auto_captions(recording) is not None
    assert queue_auto_captions(recording) is None  # one at a time
    job = _run_latest(recording, JobKind.CAPTIONS)
    assert job.status is JobStatus.SUCCEEDED, job.error
    (caption,) = captions_of(recording)
    assert caption.source is CaptionSource.AUTOMATIC and caption.label == "English (automatic)"
    cues = read_cues(caption)
    assert cues and all(c.end - c.start <= 7.3 for c in cues)
    # Voices come from the speech timeline: most cues name who really spoke then.
    truth = spoken_panel.script.cues
    right = sum(
        1 for c in cues if any(t.start - 0.3 <= c.start <= t.end and SEATS[t.speaker] == c.voice for t in truth)
    )
    assert right >= 0.8 * len(cues)
    assert "draft" in job.notes[0]


def test_organisers_captions_are_never_replaced_by_automatic_ones(app, spoken_panel):
    app.config["AUTO_CAPTIONS_ENABLED"] = True
    recording = spoken_panel.recording
    save_caption(recording, "en", "English", b"WEBVTT\n\n00:00.500 --> 00:03.000\n<v Ana Lima>Welcome everyone.\n")
    assert queue_auto_captions(recording) is None
    (caption,) = captions_of(recording)
    assert caption.source is CaptionSource.UPLOADED


def test_other_languages_get_no_automatic_captions_and_the_studio_says_so(app, login, spoken_panel):
    app.config["AUTO_CAPTIONS_ENABLED"] = True
    client = login()
    panel = spoken_panel.panel
    tools = f"/studio/panels/{panel.id}/transcript"
    token = csrf_token(client.get(tools).get_data(as_text=True))
    response = client.post(f"{tools}/language", data={"language": "fr", "csrf_token": token})
    assert response.status_code == 302
    assert queue_auto_captions(spoken_panel.recording) is None
    html = client.get(tools).get_data(as_text=True)
    assert "no automatic captions are made" in html and "“fr”" in html
    assert "Align with the recording" not in html


def _paste(client, panel, text):
    tools = f"/studio/panels/{panel.id}/transcript"
    token = csrf_token(client.get(tools).get_data(as_text=True))
    return client.post(f"{tools}/align", data={"transcript": text, "csrf_token": token})


def test_a_pasted_transcript_becomes_voiced_captions_timed_to_the_words(login, spoken_panel):
    client = login()
    panel, recording = spoken_panel.panel, spoken_panel.recording
    assert _paste(client, panel, transcript_text()).status_code == 302
    job = _run_latest(recording, JobKind.ALIGN)
    assert job.status is JobStatus.SUCCEEDED, job.error
    (caption,) = captions_of(recording)
    assert caption.source is CaptionSource.ALIGNED
    cues = read_cues(caption)
    assert [c.voice for c in cues][0] == "Ana Lima"
    firsts = {}
    for cue in cues:
        firsts.setdefault(cue.voice, cue)
    assert abs(firsts["Ben Okafor"].start - spoken_panel.script.cues[1].start) <= TOLERANCE
    assert (
        " ".join(c.plain_text for c in cues).split()
        == transcript_text().replace("Ana Lima:", "").replace("Ben Okafor:", "").replace("Chloé Martin:", "").split()
    )
    html = client.get(f"/studio/panels/{panel.id}/transcript").get_data(as_text=True)
    assert "Aligned: " in html and "saved as the English captions" in html


def test_a_transcript_that_does_not_match_saves_nothing_until_the_organiser_keeps_the_part(login, spoken_panel):
    client = login()
    panel, recording = spoken_panel.panel, spoken_panel.recording
    wrong = "The quarterly revenue figures for the northern region exceeded every forecast made by analysts."
    _paste(client, panel, transcript_text(SCRIPT[:2] + [(2, wrong)]))
    job = _run_latest(recording, JobKind.ALIGN)
    assert job.status is JobStatus.SUCCEEDED
    assert captions_of(recording) == []  # nothing half-done stored
    html = client.get(f"/studio/panels/{panel.id}/transcript").get_data(as_text=True)
    assert "Alignment stopped at 0:1" in html  # about 0:12, where Chloé's turn starts
    assert "“The quarterly revenue figures" in html and "nothing has been saved" in html
    token = csrf_token(html)
    assert client.post(f"/studio/alignments/{job.id}/keep", data={"csrf_token": token}).status_code == 302
    (caption,) = captions_of(recording)
    cues = read_cues(caption)
    assert {c.voice for c in cues} == {"Ana Lima", "Ben Okafor"}
    assert cues[-1].end <= spoken_panel.script.cues[2].start


def test_empty_and_giant_pastes_get_a_message_and_queue_nothing(login, spoken_panel):
    client = login()
    panel = spoken_panel.panel
    response = _paste(client, panel, "   \n ")
    assert response.status_code == 422
    assert "The transcript is empty" in response.get_data(as_text=True)
    response = _paste(client, panel, "Ana Lima: " + "words " * 100_000)
    assert response.status_code == 422
    assert "larger than 500 kB" in response.get_data(as_text=True)
    assert not db.session.scalars(sa.select(RecordingJob).where(RecordingJob.kind == JobKind.ALIGN)).all()
