"""Studio pages for words: automatic captions, a pasted transcript aligned, the caption editor.

Organisers only (the blueprint closes itself like the studio's). Views load
(404), call one operation from :mod:`.job` or :mod:`.editor`, and render or
redirect.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from ..events.models import Panel
from ..extensions import csrf, db
from ..jobs import queue_alignment, queue_auto_captions
from ..recordings.captions import captions_of, read_cues
from ..recordings.current import ready_recording
from ..recordings.models import Caption, JobKind, JobStatus, Recording, RecordingJob, RenditionKind
from ..storage import StorageError, media_store
from ..studio.loaders import caption_or_404, job_or_404, panel_or_404
from ..times import parse_time
from . import editor
from .job import (
    CaptionJobRefused,
    discard_partial,
    is_english,
    keep_partial,
    latest_alignment,
    read_result,
)
from .speakers import Speakers
from .transcript_text import MAX_PASTE_BYTES, TranscriptError

bp = Blueprint("transcript_studio", __name__)


class AlignForm(FlaskForm):
    transcript = TextAreaField("Transcript", render_kw={"rows": 12})


class LanguageForm(FlaskForm):
    language = StringField(
        "Spoken language (code)",
        validators=[
            DataRequired(),
            Length(max=20),
            Regexp(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", message="Use a code such as en, fr or pt-BR."),
        ],
    )


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""


def _panel_recording(panel_id: int) -> tuple[Panel, Recording | None]:
    panel = panel_or_404(panel_id)
    return panel, ready_recording(panel)


def _back(panel: Panel, anchor: str = ""):
    return redirect(url_for(".transcript_tools", panel_id=panel.id) + anchor)


def _kept_paste(job: RecordingJob | None) -> AlignForm:
    """The alignment form, holding the last pasted transcript when that alignment failed or
    stopped part-way, so the organiser fixes it rather than pasting it all again."""
    form = AlignForm(formdata=None)
    result = read_result(job) if job and job.status is JobStatus.SUCCEEDED else None
    unfinished = job is not None and (
        job.status in (JobStatus.FAILED, JobStatus.CANCELLED) or (result is not None and not result.get("complete"))
    )
    if unfinished and job.input_key:
        try:
            with media_store().open(job.input_key) as fh:
                form.transcript.data = fh.read().decode("utf-8", errors="replace")
        except StorageError:
            pass  # the paste is gone (cleaned up): an empty form, as before
    return form


def _render_tools(panel: Panel, recording: Recording | None, align_form=None, language_form=None, status=200):
    job = latest_alignment(recording) if recording else None
    auto_job = next((j for j in recording.jobs if j.kind is JobKind.CAPTIONS), None) if recording else None
    page = render_template(
        "studio/captions_transcript.html",
        panel=panel,
        recording=recording,
        captions=captions_of(recording) if recording else [],
        english=is_english(recording) if recording else True,
        align_form=align_form or _kept_paste(job),
        language_form=language_form or LanguageForm(formdata=None, language=recording.language if recording else "en"),
        action_form=ActionForm(),
        job=job,
        result=read_result(job) if job and job.status is JobStatus.SUCCEEDED else None,
        auto_job=auto_job,
        max_kb=MAX_PASTE_BYTES // 1024,
        clock=editor.cue_time,
    )
    return page, status


@bp.route("/panels/<int:panel_id>/transcript")
def transcript_tools(panel_id: int):
    """Automatic captions, alignment of a pasted transcript, and the caption tracks to edit.

    :raise 404: no such panel.
    """
    panel, recording = _panel_recording(panel_id)
    return _render_tools(panel, recording)


@bp.route("/panels/<int:panel_id>/transcript/align", methods=["POST"])
@csrf.exempt  # the form below checks the token itself, after the larger form limit is set
def transcript_align(panel_id: int):
    """Queue the alignment of a pasted transcript.

    :raise 404: no such panel.
    """
    # A paste over the limit should get our sentence, not the generic 413 page
    # (Werkzeug refuses form fields over 500 kB before any view runs).
    request.max_form_memory_size = 4 * MAX_PASTE_BYTES
    panel, recording = _panel_recording(panel_id)
    form = AlignForm()
    if recording is None:
        flash("Upload a recording and wait until it is ready before aligning a transcript.", "error")
        return _back(panel)
    if not form.validate_on_submit():
        form.transcript.errors = list(form.transcript.errors) + ["The form expired; paste the transcript again."]
        return _render_tools(panel, recording, align_form=form, status=400)
    try:
        queue_alignment(recording, form.transcript.data or "")
    except (TranscriptError, CaptionJobRefused) as exc:
        form.transcript.errors = [str(exc)]
        return _render_tools(panel, recording, align_form=form, status=422)
    flash("Aligning the transcript with the recording. This page shows the result when it is done.", "success")
    return _back(panel, "#align")


@bp.route("/alignments/<int:job_id>/keep", methods=["POST"])
def alignment_keep(job_id: int):
    """Save the part of a stopped alignment that did align.

    :raise 404: no such alignment.
    """
    job = _alignment_or_404(job_id)
    if ActionForm().validate_on_submit():
        try:
            keep_partial(job)
            flash("The aligned part was saved as the English captions. Check the rest in the editor.", "success")
        except CaptionJobRefused as exc:
            flash(str(exc), "error")
    return _back(job.recording.panel, "#align")


@bp.route("/alignments/<int:job_id>/discard", methods=["POST"])
def alignment_discard(job_id: int):
    """Forget a stopped alignment's result.

    :raise 404: no such alignment.
    """
    job = _alignment_or_404(job_id)
    if ActionForm().validate_on_submit():
        discard_partial(job)
        flash("The partial alignment was discarded; nothing was saved.", "success")
    return _back(job.recording.panel, "#align")


def _alignment_or_404(job_id: int) -> RecordingJob:
    job = job_or_404(job_id)
    if job.kind is not JobKind.ALIGN:
        abort(404)
    return job


@bp.route("/panels/<int:panel_id>/transcript/language", methods=["POST"])
def transcript_language(panel_id: int):
    """Record the spoken language of the panel's recording.

    :raise 404: no such panel.
    """
    panel, recording = _panel_recording(panel_id)
    form = LanguageForm()
    if recording is None:
        return _back(panel)
    if not form.validate_on_submit():
        return _render_tools(panel, recording, language_form=form, status=422)
    recording.language = form.language.data.strip()
    db.session.commit()
    flash(f"The recording is marked as spoken in “{recording.language}”.", "success")
    return _back(panel, "#language")


@bp.route("/panels/<int:panel_id>/transcript/automatic", methods=["POST"])
def transcript_automatic(panel_id: int):
    """Make draft captions by speech recognition now (English, no organiser captions).

    :raise 404: no such panel.
    """
    panel, recording = _panel_recording(panel_id)
    if recording is None or not ActionForm().validate_on_submit():
        return _back(panel)
    if queue_auto_captions(recording):
        flash("Listening for words. The draft captions appear here when they are ready.", "success")
    else:
        flash(
            "No automatic captions were queued: the recording is not in English, has captions "
            "from an organiser, or is already being listened to.",
            "error",
        )
    return _back(panel, "#automatic")


# --- the caption editor -------------------------------------------------------


def _editor_media(recording: Recording):
    """The smallest camera MP4 (quick to seek), or the audio."""
    mp4s = sorted((r for r in recording.renditions if r.kind is RenditionKind.MP4), key=lambda r: r.height or 0)
    if mp4s:
        return mp4s[0], "video/mp4"
    audio = next((r for r in recording.renditions if r.kind is RenditionKind.AUDIO), None)
    return audio, "audio/mp4"


def _speaker_choices(panel: Panel, cues) -> list[str]:
    names = [seat.panelist.name for seat in panel.seats]
    speakers = Speakers.of(panel)
    for cue in cues:
        voice = cue.voice
        if voice and speakers.panelist(voice) is None and voice not in names:
            names.append(voice)
    return names


def _page_number(total: int) -> int:
    try:
        page = int(request.values.get("page", "1"))
    except ValueError:
        page = 1
    return min(max(page, 1), editor.page_count(total))


@bp.route("/captions/<int:caption_id>/edit", methods=["GET", "POST"])
def caption_edit(caption_id: int):
    """The caption editor: one page of cues, saved as WebVTT with their voices.

    :raise 404: no such caption track, or one of another event's recording.
    """
    caption = db.session.get(Caption, caption_id)
    if caption is None:
        panel_id = request.form.get("panel", "")
        if request.method == "POST" and panel_id.isdigit() and db.session.get(Panel, int(panel_id)):
            panel = panel_or_404(int(panel_id))
            # Saving a new version (an upload, a job, another organiser) replaced the track.
            flash(
                "These captions were replaced while you edited them (an upload, an alignment or another "
                "organiser's save). Your changes were not saved; open the new captions in the editor.",
                "error",
            )
            return _back(panel, "#tracks")
        abort(404)
    caption = caption_or_404(caption_id)
    recording = db.session.get(Recording, caption.recording_id)
    panel = recording.panel
    cues = read_cues(caption)
    page = _page_number(len(cues))
    choices = _speaker_choices(panel, cues)
    form = ActionForm()
    rows, status, stale = editor.rows_for_page(cues, page), 200, None
    if request.method == "POST" and form.validate_on_submit():
        rows = editor.read_rows(request.form)
        split = request.form.get("split")
        if split and split.isdigit():
            rows = _split(rows, int(split))
        try:
            saved = editor.save_page(caption, request.form.get("version", ""), page, rows, set(choices), recording)
        except editor.StaleEdit as exc:
            saved, stale = None, str(exc)
        if saved is not None:
            flash(f"Captions saved ({len(read_cues(saved))} cues).", "success")
            return redirect(url_for(".caption_edit", caption_id=saved.id, page=page))
        status = 409 if stale else 422
    elif request.method == "POST":
        stale, status = "The form expired; your changes were not saved. Open the editor again.", 400
    media, media_type = _editor_media(recording)
    return render_template(
        "studio/captions_edit.html",
        panel=panel,
        recording=recording,
        caption=caption,
        rows=rows,
        page=page,
        pages=editor.page_count(len(cues)),
        total=len(cues),
        choices=choices,
        version=editor.caption_version(caption),
        form=form,
        stale=stale,
        media=media,
        media_type=media_type,
        errors=[r for r in rows if r.errors],
    ), status


def _split(rows: list[editor.Row], index: int) -> list[editor.Row]:
    out = []
    for row in rows:
        if row.index == index:
            row.start_s, row.end_s = parse_time(row.start), parse_time(row.end)
            if row.start_s is not None and row.end_s is not None:
                out.extend(editor.split_row(row))
                continue
        out.append(row)
    return out
