"""Studio: watch a recording's transcode, cancel it, retry it, delete the recording."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, url_for

from .. import jobs
from ..jobs import active_jobs
from ..recordings.models import JobKind, JobStatus, Recording, RecordingJob
from ..times import clock
from ..transcripts.job import read_result
from . import bp
from .forms import DeleteForm, PosterForm
from .loaders import job_or_404, recording_or_404
from .recording_removal import RecordingBusy, delete_recording, is_current

#: What the studio calls each kind of job, in the order the pipeline runs them.
JOB_LABELS = {
    JobKind.TRANSCODE: "Transcoding",
    JobKind.FLOCK: "Drawing the birds",
    JobKind.CAPTIONS: "Automatic captions",
    JobKind.ALIGN: "Aligning the transcript",
}


@bp.app_template_global()
def latest_jobs(recording: Recording) -> list[RecordingJob]:
    """The newest job of each kind, in pipeline order: one status line each in the studio
    (templates/studio/_job.html reads it from the recording its page already loaded)."""
    newest: dict[JobKind, RecordingJob] = {}
    for job in recording.jobs:  # newest first
        newest.setdefault(job.kind, job)
    return [newest[kind] for kind in JOB_LABELS if kind in newest]


@bp.app_template_global()
def job_label(job: RecordingJob) -> str:
    """ "Transcoding", "Drawing the birds", …: the job's name in the studio."""
    return JOB_LABELS.get(job.kind, "Job")


@bp.app_template_global()
def job_outcome(job: RecordingJob) -> str:
    """The word on a job's line: its status, except that an alignment which stopped part-way
    says where ("stopped at 1:23"), never "succeeded"."""
    if job.kind is JobKind.ALIGN and job.status is JobStatus.SUCCEEDED:
        result = read_result(job)
        if result and not result.get("complete", True):
            return f"stopped at {clock(result.get('failed_at') or 0)}"
    return job.status.value


def _job_facts(job: RecordingJob) -> dict:
    return {
        "id": job.id,
        "kind": job.kind.value,
        "label": job_label(job),
        "status": job.status.value,
        "outcome": job_outcome(job),
        "progress": round(job.progress or 0.0, 4),
        "speed": job.speed,
        "eta_seconds": job.eta_seconds,
        "attempts": job.attempts,
        "error": job.error,
        "active": job.is_active,
        # what a running job already made, e.g. "Watchable now (quick)…" (its final notes show once it ends)
        "notes": job.notes if job.status is JobStatus.RUNNING and job.notes else None,
    }


def job_state(recording: Recording) -> dict:
    """What the studio's progress display needs, as JSON-ready data.

    ``jobs`` has every kind the recording went through (transcode, birds, captions,
    alignment), so the page that started the upload follows the pipeline to its end;
    ``job`` is the newest one alone, as older clients read it.
    """
    jobs_now = [_job_facts(job) for job in latest_jobs(recording)]
    return {
        "recording": recording.id,
        "status": recording.status.value,
        "job": _job_facts(recording.pipeline_jobs[0]) if recording.pipeline_jobs else None,
        "jobs": jobs_now,
        "active": any(job["active"] for job in jobs_now),
        "renditions": [
            {"kind": r.kind.value, "label": r.label, "height": r.height, "size_bytes": r.size_bytes}
            for r in recording.renditions
        ],
    }


@bp.route("/recordings/<int:recording_id>/status.json")
def recording_status(recording_id: int):
    """Polled by static/js/jobs.js while any job of the recording is queued or running."""
    response = jsonify(job_state(recording_or_404(recording_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/recordings/<int:recording_id>/transcode", methods=["POST"])
def recording_transcode(recording_id: int):
    """Queue a (re-)transcode: a retry after a failure, or after the ladder changed."""
    recording = recording_or_404(recording_id)
    if DeleteForm().validate_on_submit():
        try:
            jobs.queue_transcode(recording)
            flash("Transcoding queued.", "success")
        except jobs.JobRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for(".panel", panel_id=recording.panel_id) + f"#recording-{recording.id}")


@bp.route("/recordings/<int:recording_id>/poster", methods=["POST"])
def recording_poster(recording_id: int):
    """Take the poster from the moment the organiser chose (seconds or m:ss)."""
    recording = recording_or_404(recording_id)
    form = PosterForm()
    if form.validate_on_submit():
        try:
            jobs.queue_poster(recording, form.seconds())
            flash("The new poster is being taken; it replaces the old one in a few seconds.", "success")
        except jobs.JobRefused as exc:
            flash(str(exc), "error")
    else:
        flash(" ".join(form.at.errors) or "Please give a time such as 1:30.", "error")
    return redirect(url_for(".panel", panel_id=recording.panel_id) + f"#recording-{recording.id}")


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
def job_cancel(job_id: int):
    job = job_or_404(job_id)
    if DeleteForm().validate_on_submit():
        jobs.cancel_job(job)
        flash("Cancelling the transcode.", "success")
    return redirect(url_for(".panel", panel_id=job.recording.panel_id) + f"#recording-{job.recording_id}")


@bp.route("/recordings/<int:recording_id>/delete", methods=["GET", "POST"])
def recording_delete(recording_id: int):
    """Ask, then delete a recording and its files (original, renditions, captions).

    :raise 404: no such recording, or one of an event this organiser does not manage.
    """
    recording = recording_or_404(recording_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        return render_template(
            "studio/recording_delete.html",
            recording=recording,
            panel=recording.panel,
            form=form,
            current=is_current(recording),
            busy=[f"{job_label(job)} is {job.status.value}" for job in active_jobs(recording) if job.parent_id is None],
        )
    panel_id, name = recording.panel_id, recording.original_filename or f"recording {recording.id}"
    try:
        delete_recording(recording)
    except RecordingBusy as exc:
        flash(f"“{name}” was not deleted: {exc}", "error")
        return redirect(url_for(".panel", panel_id=panel_id) + f"#recording-{recording_id}")
    flash(f"Recording “{name}” and its files deleted.", "success")
    return redirect(url_for(".panel", panel_id=panel_id) + "#recordings")
