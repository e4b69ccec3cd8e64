"""A failed or part-way alignment keeps the pasted text for fixing, and the recording's status
line says it failed (and why) or where it stopped; never "succeeded"."""

from __future__ import annotations

import json

from eventsite.extensions import db
from eventsite.jobs import queue_alignment
from eventsite.recordings.models import JobStatus, Recording, RecordingJob
from eventsite.storage import media_store
from eventsite.transcripts.job import result_key

PASTE = "Gemma Went: Welcome to the panel.\nAzeem Azhar: Let us talk about influence."


def finish(job_id: int, status: JobStatus, error: str | None = None) -> RecordingJob:
    job = db.session.get(RecordingJob, job_id)
    job.status, job.error = status, error
    db.session.commit()
    return job


def recording_of(panel) -> Recording:
    return db.session.scalars(db.select(Recording).where(Recording.panel_id == panel.id)).one()


def test_a_failed_alignment_keeps_the_paste_and_says_why(login, ready_panel):
    client = login()
    job = queue_alignment(recording_of(ready_panel), PASTE)
    finish(job.id, JobStatus.FAILED, "The transcript does not match the recording.")
    tools = client.get(f"/studio/panels/{ready_panel.id}/transcript").text
    assert "Gemma Went: Welcome to the panel.\nAzeem Azhar: Let us talk about influence.</textarea>" in tools
    studio = client.get(f"/studio/panels/{ready_panel.id}/").text
    assert 'Aligning the transcript: <strong class="job-status">failed</strong>' in studio
    assert "The transcript does not match the recording." in studio


def test_a_part_way_alignment_says_where_it_stopped_not_succeeded(login, ready_panel):
    client = login()
    job = queue_alignment(recording_of(ready_panel), PASTE)
    result = {"complete": False, "failed_at": 3.2, "failed_words": "let us", "aligned_words": 4, "total_words": 11,
              "saved": False, "cues": [], "notes": [], "speakers_from": "transcript"}  # fmt: skip
    media_store().save_bytes(result_key(job), json.dumps(result).encode())
    job = finish(job.id, JobStatus.SUCCEEDED)
    job.notes = ["Alignment stopped at 0:03: the transcript and the recording stop matching at “let us”."]
    db.session.commit()
    studio = client.get(f"/studio/panels/{ready_panel.id}/").text
    assert 'Aligning the transcript: <strong class="job-status">stopped at 0:03</strong>' in studio
    assert "stop matching at “let us”" in studio
    state = client.get(f"/studio/recordings/{job.recording_id}/status.json").get_json()
    assert [j["outcome"] for j in state["jobs"] if j["kind"] == "align"] == ["stopped at 0:03"]
    tools = client.get(f"/studio/panels/{ready_panel.id}/transcript").text
    assert "Azeem Azhar: Let us talk about influence.</textarea>" in tools
