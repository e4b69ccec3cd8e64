"""The studio tab that uploaded a recording follows every job of it live, in Chromium:
the real upload (tus) and the real transcode, then the birds and the captions as the
job rows change, until the last one ends; and a page that says it refreshes itself does."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from eventsite import jobs
from eventsite.database import utcnow
from eventsite.extensions import db
from eventsite.jobs import queue_alignment
from eventsite.recordings.models import JobKind, JobStatus, Recording, RecordingJob
from tests.browser_steps import sign_in
from tests.conftest import assert_no_axe_violations
from tests.transcode.media import av_clip

pytestmark = pytest.mark.browser


def newest_job(kind: JobKind) -> RecordingJob:
    db.session.expire_all()
    return db.session.scalars(
        db.select(RecordingJob).where(RecordingJob.kind == kind).order_by(RecordingJob.id.desc())
    ).first()


def set_job(job_id: int, **fields) -> None:
    """Write a job row as its worker would (the page reads nothing else)."""
    job = db.session.get(RecordingJob, job_id)
    for name, value in fields.items():
        setattr(job, name, value)
    if fields.get("status") in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        job.finished_at = utcnow()
    db.session.commit()


def queue_row(recording_id: int, kind: JobKind) -> int:
    """The next job of the pipeline, as the runner queues it when the one before ends."""
    job = RecordingJob(recording_id=recording_id, kind=kind, status=JobStatus.QUEUED)
    db.session.add(job)
    db.session.commit()
    return job.id


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_uploading_tab_follows_every_job_to_the_last(page, app, make_organiser, make_panel, tmp_path, size):
    # The pipeline's order as production runs it: transcode, then the birds, then draft captions.
    app.config.update(TRANSCODE_LADDER=(144,), CARTOON_HEIGHT=144, FLOCK_ENABLED=True)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    make_organiser()
    panel = make_panel("Measuring influence")
    clip = av_clip(tmp_path / "clip.mp4", "256x144", 3, 25)
    sign_in(page)
    page.goto(f"/studio/panels/{panel.id}/")
    page.evaluate("window.sameTab = true")  # gone if anything reloads the page

    page.get_by_label("Add recordings").set_input_files(str(clip))
    expect(page.locator(".upload-status")).to_have_text(re.compile(r"100 % · done"))
    # A finished upload has nothing to pause.
    expect(page.locator(".upload-queue").get_by_role("button", name="Pause")).to_have_count(0)
    expect(page.locator(".upload-queue button:visible")).to_have_count(0)
    job_line = page.locator(".job-step")
    expect(job_line.filter(has_text="Transcoding")).to_contain_text("queued")

    transcode = newest_job(JobKind.TRANSCODE)
    jobs.run_recording_job.call_local(transcode.id)  # the real ffmpeg run; it queues the birds
    expect(job_line.filter(has_text="Transcoding")).to_contain_text("succeeded")
    birds = newest_job(JobKind.FLOCK)
    assert birds.status is JobStatus.QUEUED
    expect(job_line.filter(has_text="Drawing the birds")).to_contain_text("queued")
    expect(page.locator("#recording-list")).to_contain_text("renditions")

    set_job(birds.id, status=JobStatus.RUNNING, progress=0.4)
    expect(job_line.filter(has_text="Drawing the birds")).to_contain_text("running 40.0 %")
    set_job(birds.id, status=JobStatus.SUCCEEDED, progress=1.0)
    captions = queue_row(birds.recording_id, JobKind.CAPTIONS)  # the next step, queued as the birds end
    expect(job_line.filter(has_text="Drawing the birds")).to_contain_text("succeeded")
    expect(job_line.filter(has_text="Automatic captions")).to_contain_text("queued")
    set_job(captions, status=JobStatus.FAILED, error="Speech recognition found no words in this recording.")
    expect(job_line.filter(has_text="Automatic captions")).to_contain_text("failed")
    expect(page.get_by_role("alert")).to_contain_text("found no words")

    assert page.evaluate("window.sameTab === true")  # followed in place, never reloaded
    assert_no_axe_violations(page)


def test_the_alignment_page_refreshes_itself_until_the_job_ends(page, app, make_organiser, ready_panel):
    make_organiser()
    recording = db.session.scalars(db.select(Recording).where(Recording.panel_id == ready_panel.id)).one()
    job = queue_alignment(recording, "Welcome to the panel. Let us talk about influence. Thank you all.")
    sign_in(page)
    page.goto(f"/studio/panels/{ready_panel.id}/transcript")
    align = page.locator("#align")
    expect(align).to_contain_text("Aligning your transcript: queued")
    set_job(job.id, status=JobStatus.RUNNING, progress=0.5)
    expect(align).to_contain_text("running, 50 %", timeout=12_000)
    set_job(job.id, status=JobStatus.FAILED, error="The transcript does not match the recording.")
    expect(align).to_contain_text("failed: The transcript does not match the recording.", timeout=12_000)
    assert_no_axe_violations(page)
