"""Studio: who speaks when in a recording, with the organiser's corrections.

Plain forms (one per turn, CSRF) do every change, so the page works without
JavaScript; static/js/speech-strip.js adds the clickable strip and seeking.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired

from ..recordings.models import Recording, RenditionKind
from ..recordings.serving import PRIVATE_CACHE, stored_file_response
from ..times import parse_time
from . import bp
from . import speech as ops
from .forms import DeleteForm
from .loaders import recording_or_404


class TurnForm(FlaskForm):
    """One turn's row: which turn (by its times), and the chosen action's inputs."""

    start = FloatField(validators=[InputRequired()])
    end = FloatField(validators=[InputRequired()])
    speaker = IntegerField(default=-1)
    at = StringField()
    assign = SubmitField("Reassign")
    split = SubmitField("Split")
    merge = SubmitField("Merge with next")


@bp.app_template_global("flock_notes")
def flock_notes(recording: Recording) -> list[str]:
    """For studio templates: what the newest flock job of ``recording`` assumed."""
    return ops.flock_notes(recording)


def _page(recording: Recording, status: int = 200):
    editor = ops.speech_editor(recording)
    media = {r.kind: r for r in recording.renditions}
    video = media.get(RenditionKind.FLOCK) or next(
        (r for r in recording.renditions if r.kind is RenditionKind.MP4), None
    )
    return (
        render_template(
            "studio/speech.html",
            recording=recording,
            panel=recording.panel,
            editor=editor,
            notes=ops.flock_notes(recording),
            job=ops.latest_flock_job(recording),
            video=video,
            poster=media.get(RenditionKind.FLOCK_POSTER) or media.get(RenditionKind.POSTER),
            audio=media.get(RenditionKind.AUDIO),
            exact_time=ops.exact_time,
            delete_form=DeleteForm(),
        ),
        status,
    )


def _back(recording: Recording, anchor: str = ""):
    return redirect(url_for(".recording_speech", recording_id=recording.id) + anchor)


@bp.route("/recordings/<int:recording_id>/speech")
def recording_speech(recording_id: int):
    """The speech timeline strip and its turns, with the flock job's notes.

    :raise 404: no such recording, or one of another event's panel.
    """
    return _page(recording_or_404(recording_id))


@bp.route("/recordings/<int:recording_id>/speech/turn", methods=["POST"])
def speech_turn(recording_id: int):
    """Reassign, split or merge one turn; saved as a correction, then the birds are drawn again.

    :raise 404: no such recording, or one of another event's panel.
    """
    recording = recording_or_404(recording_id)
    editor = ops.speech_editor(recording)
    form = TurnForm()
    if editor is None or not form.validate_on_submit():
        flash("That change could not be read; please try again.", "error")
        return _page(recording, 400)
    start, end = form.start.data, form.end.data
    try:
        if form.split.data:
            done = ops.split_turn(recording, editor, start, end, parse_time(form.at.data or ""))
        elif form.merge.data:
            done = ops.merge_turn(recording, editor, start, end)
        else:
            done = ops.reassign_turn(recording, editor, start, end, form.speaker.data)
    except ops.SpeechEditError as exc:
        flash(str(exc), "error")
        return _page(recording, 422)
    flash(f"{done} The birds will be drawn again with this change.", "success")
    return _back(recording, "#speech-turns")


@bp.route("/recordings/<int:recording_id>/speech/names", methods=["POST"])
def speech_names(recording_id: int):
    """Name the automatically told-apart voices ("Speaker 2 is Joanne Jacobs").

    :raise 404: no such recording, or one of another event's panel.
    """
    recording = recording_or_404(recording_id)
    editor = ops.speech_editor(recording)
    if editor is None or not DeleteForm().validate_on_submit():
        flash("The names could not be read; please try again.", "error")
        return _page(recording, 400)
    names = {}
    for speaker in editor.speakers:
        value = request.form.get(f"voice-{speaker.index}", "")
        if value.lstrip("-").isdigit():
            names[speaker.index] = int(value)
    try:
        done = ops.name_voices(recording, editor, names)
    except ops.SpeechEditError as exc:
        flash(str(exc), "error")
        return _page(recording, 422)
    flash(f"{done} The birds will be drawn again with these names.", "success")
    return _back(recording)


@bp.route("/recordings/<int:recording_id>/speech/redraw", methods=["POST"])
def speech_redraw(recording_id: int):
    """Draw the birds again (after corrections made while they were being drawn).

    :raise 404: no such recording, or one of another event's panel.
    """
    recording = recording_or_404(recording_id)
    if DeleteForm().validate_on_submit():
        if ops.redraw(recording):
            flash("The birds will be drawn again.", "success")
        else:
            flash(
                "The birds are already being drawn, or will be when the transcode under way ends; "
                "draw them again when that has finished.",
                "error",
            )
    return _back(recording)


@bp.route("/recordings/<int:recording_id>/speech/checked", methods=["POST"])
def speech_notes_checked(recording_id: int):
    """Mark the flock job's "please check" notes as checked, so they stop showing.

    :raise 404: no such recording, or one of another event's panel.
    """
    recording = recording_or_404(recording_id)
    if DeleteForm().validate_on_submit():
        if ops.mark_notes_checked(recording):
            flash("Marked as checked.", "success")
        else:
            flash("There was nothing left to check.", "success")
    return _back(recording)


@bp.route("/recordings/<int:recording_id>/speech/samples/<int:speaker>.m4a")
def speech_sample(recording_id: int, speaker: int):
    """A few seconds of one speaker's voice, for naming them (organisers only, like the whole studio).

    :raise 404: no such recording, no timeline, or nothing of that speaker to play.
    """
    recording = recording_or_404(recording_id)
    editor = ops.speech_editor(recording)
    if editor is None:
        return "No speech timeline yet.", 404
    try:
        key = ops.sample_clip(recording, editor, speaker)
    except ops.SpeechEditError as exc:
        return str(exc), 404
    return stored_file_response(key, "audio/mp4", PRIVATE_CACHE)
