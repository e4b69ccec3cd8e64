"""Studio pages for what viewers get with a video: captions, chapters, downloads, view counts."""

from __future__ import annotations

from flask import flash, redirect, render_template_string, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from ..events import stats
from ..events.models import Panel
from ..events.operations import offer_downloads
from ..extensions import db
from ..recordings.captions import MAX_CAPTION_BYTES, CaptionError, captions_of, delete_caption, save_caption
from ..recordings.chapters import ChapterError, add_chapter, chapters_of, parse_time, replace_chapters
from ..recordings.current import ready_recording
from ..recordings.models import Recording
from ..times import clock
from . import bp
from .forms import DeleteForm
from .loaders import caption_or_404, chapter_or_404, panel_or_404

#: The page is the shared partial inside the site layout.
PAGE = """{% extends "base.html" %}
{% set title = panel.title ~ ": captions and chapters (studio)" %}
{% block content %}{% include "studio/_captions_chapters.html" %}{% endblock %}"""


class CaptionForm(FlaskForm):
    language = StringField(
        "Language code",
        validators=[
            DataRequired(),
            Length(max=20),
            Regexp(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", message="Use a code such as en, fr or pt-BR."),
        ],
        default="en",
    )
    label = StringField(
        "Name in the menu",
        validators=[
            DataRequired(),
            Length(max=80),
            # The player builds its captions menu with innerHTML; a label is a name, never markup.
            Regexp(r"^[^<>]*$", message="A name in the menu cannot contain < or >."),
        ],
        default="English",
    )
    file = FileField("Caption file (.vtt or .srt)", validators=[FileRequired()])


class ChapterForm(FlaskForm):
    start = StringField("Starts at", validators=[DataRequired(), Length(max=20)])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    panelist_id = SelectField("Speaker", coerce=int, default=0)

    def validate_start(self, field) -> None:
        if parse_time(field.data) is None:
            raise ValidationError("Write a time such as 1:30, 1:02:03 or 90.")


class ChapterPasteForm(FlaskForm):
    lines = TextAreaField("Chapter lines", validators=[DataRequired(), Length(max=20000)])


class DownloadsForm(FlaskForm):
    downloads_enabled = BooleanField("Offer MP4 and audio downloads on the public page")


def _recording_or_redirect(panel: Panel) -> Recording | None:
    recording = ready_recording(panel)
    if recording is None:
        flash("Captions and chapters belong to a recording: upload one and wait until it is ready.", "error")
    return recording


def _render(panel: Panel, **forms):
    """The page, with any submitted form (and its errors) in place of a blank one."""
    recording = ready_recording(panel)
    chapter_form = forms.get("chapter_form") or ChapterForm(formdata=None)
    chapter_form.panelist_id.choices = [(0, "Nobody in particular")] + [
        (seat.panelist.id, seat.panelist.name) for seat in panel.seats
    ]
    paste_form = forms.get("paste_form") or ChapterPasteForm(formdata=None)
    chapters = chapters_of(recording) if recording else []
    if not paste_form.lines.data and chapters:
        paste_form.lines.data = "\n".join(f"{clock(c.start)} {c.title}" for c in chapters)
    return render_template_string(
        PAGE,
        panel=panel,
        recording=recording,
        captions=captions_of(recording) if recording else [],
        chapters=chapters,
        caption_form=forms.get("caption_form") or CaptionForm(formdata=None),
        chapter_form=chapter_form,
        paste_form=paste_form,
        downloads_form=DownloadsForm(formdata=None, downloads_enabled=panel.downloads_enabled),
        delete_form=DeleteForm(),
        total_views=stats.total_views(panel),
        recent_views=stats.recent_views(panel),
    )


@bp.route("/panels/<int:panel_id>/media")
def panel_media(panel_id: int):
    """Captions, chapters, downloads and view counts of a panel.

    :raise 404: no such panel.
    """
    return _render(panel_or_404(panel_id))


@bp.route("/panels/<int:panel_id>/captions", methods=["POST"])
def caption_upload(panel_id: int):
    """Add (or replace) the captions of one language; SRT is converted to WebVTT.

    :raise 404: no such panel.
    """
    panel = panel_or_404(panel_id)
    form = CaptionForm()
    recording = _recording_or_redirect(panel)
    if recording is None:
        return redirect(url_for(".panel_media", panel_id=panel.id))
    if form.validate_on_submit():
        try:
            # Read one byte past the limit, never the whole body: save_caption refuses what is too big.
            data = form.file.data.read(MAX_CAPTION_BYTES + 1)
            caption = save_caption(recording, form.language.data, form.label.data.strip(), data)
        except CaptionError as exc:
            form.file.errors.append(f"This file was not accepted. {exc.message}")
        else:
            flash(f"Captions “{caption.label}” saved.", "success")
            return redirect(url_for(".panel_media", panel_id=panel.id))
    return _render(panel, caption_form=form), 422


@bp.route("/captions/<int:caption_id>/delete", methods=["POST"])
def caption_delete(caption_id: int):
    """Remove a caption track.

    :raise 404: no such caption.
    """
    caption = caption_or_404(caption_id)
    panel_id = db.session.get(Recording, caption.recording_id).panel_id
    if DeleteForm().validate_on_submit():
        delete_caption(caption)
        flash("Captions removed.", "success")
    return redirect(url_for(".panel_media", panel_id=panel_id))


@bp.route("/panels/<int:panel_id>/chapters", methods=["POST"])
def chapter_add(panel_id: int):
    """Add one chapter, optionally tied to a panelist.

    :raise 404: no such panel.
    """
    panel = panel_or_404(panel_id)
    form = ChapterForm()
    form.panelist_id.choices = [(0, "")] + [(seat.panelist.id, seat.panelist.name) for seat in panel.seats]
    recording = _recording_or_redirect(panel)
    if recording is None:
        return redirect(url_for(".panel_media", panel_id=panel.id))
    if form.validate_on_submit():
        try:
            add_chapter(recording, parse_time(form.start.data), form.title.data, form.panelist_id.data or None)
        except ChapterError as exc:
            form.start.errors.append(exc.message)
        else:
            flash("Chapter added.", "success")
            return redirect(url_for(".panel_media", panel_id=panel.id))
    return _render(panel, chapter_form=form), 422


@bp.route("/panels/<int:panel_id>/chapters/paste", methods=["POST"])
def chapter_paste(panel_id: int):
    """Replace every chapter by pasted "0:00 Intro" lines.

    :raise 404: no such panel.
    """
    panel = panel_or_404(panel_id)
    form = ChapterPasteForm()
    recording = _recording_or_redirect(panel)
    if recording is None:
        return redirect(url_for(".panel_media", panel_id=panel.id))
    if form.validate_on_submit():
        try:
            chapters = replace_chapters(recording, form.lines.data)
        except ChapterError as exc:
            form.lines.errors.append(exc.message)
        else:
            flash(f"{len(chapters)} chapters saved.", "success")
            return redirect(url_for(".panel_media", panel_id=panel.id))
    return _render(panel, paste_form=form), 422


@bp.route("/chapters/<int:chapter_id>/delete", methods=["POST"])
def chapter_delete(chapter_id: int):
    """Remove one chapter.

    :raise 404: no such chapter.
    """
    chapter = chapter_or_404(chapter_id)
    panel_id = db.session.get(Recording, chapter.recording_id).panel_id
    if DeleteForm().validate_on_submit():
        db.session.delete(chapter)
        db.session.commit()
        flash("Chapter removed.", "success")
    return redirect(url_for(".panel_media", panel_id=panel_id))


@bp.route("/panels/<int:panel_id>/downloads", methods=["POST"])
def panel_downloads(panel_id: int):
    """Turn the public download links on or off.

    :raise 404: no such panel.
    """
    panel = panel_or_404(panel_id)
    form = DownloadsForm()
    if form.validate_on_submit():
        offer_downloads(panel, bool(form.downloads_enabled.data))
        flash("Downloads are now " + ("offered." if panel.downloads_enabled else "turned off."), "success")
    return redirect(url_for(".panel_media", panel_id=panel.id))
