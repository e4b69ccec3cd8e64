"""Studio: watch a recording's transcode, cancel it, retry it, delete the recording."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, url_for

from .. import jobs
from ..jobs import active_job
from ..recordings.models import JobStatus, Recording
from . import bp
from .forms import DeleteForm, PosterForm
from .loaders import job_or_404, recording_or_404
from .recording_removal import RecordingBusy, delete_recording, is_current


def job_state(recording: Recording) -> dict:
    """What the studio's progress display needs, as JSON-ready data."""
    job = recording.jobs[0] if recording.jobs else None
    return {
        "recording": recording.id,
        "status": recording.status.value,
        "job": None
        if job is None
        else {
            "id": job.id,
            "status": job.status.value,
            "progress": round(job.progress or 0.0, 4),
            "speed": job.speed,
            "eta_seconds": job.eta_seconds,
            "attempts": job.attempts,
            "error": job.error,
            "active": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        },
        "renditions": [
            {"kind": r.kind.value, "label": r.label, "height": r.height, "size_bytes": r.size_bytes}
            for r in recording.renditions
        ],
    }


@bp.route("/recordings/<int:recording_id>/status.json")
def recording_status(recording_id: int):
    """Polled by static/js/jobs.js while a transcode runs."""
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
            job=active_job(recording),
        )
    panel_id, name = recording.panel_id, recording.original_filename or f"recording {recording.id}"
    try:
        delete_recording(recording)
    except RecordingBusy as exc:
        flash(f"“{name}” was not deleted: {exc}", "error")
        return redirect(url_for(".panel", panel_id=panel_id) + f"#recording-{recording_id}")
    flash(f"Recording “{name}” and its files deleted.", "success")
    return redirect(url_for(".panel", panel_id=panel_id) + "#recordings")
