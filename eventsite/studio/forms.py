"""Studio forms: events, panels, panelists, seats and publishing."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..events.models import Consent, PanelStatus, SeatRole, View
from ..recordings.chapters import parse_time


class EventForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    starts_on = DateField("First day", validators=[Optional()])
    ends_on = DateField("Last day", validators=[Optional()])
    place = StringField("Place", validators=[Optional(), Length(max=200)])
    host_organisation = StringField("Hosted by", validators=[Optional(), Length(max=200)])
    description = TextAreaField("Description (markdown)", validators=[Optional(), Length(max=20000)])

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The last day can't be before the first day.")


class PanelForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    abstract = TextAreaField("Abstract (markdown)", validators=[Optional(), Length(max=20000)])
    starts_at = DateTimeLocalField("Starts at (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    credits = TextAreaField("Credits, one per line", validators=[Optional(), Length(max=2000)])
    comments_open = BooleanField("Comments open", default=True)
    cartoon_enabled = BooleanField("Make a cartoon version of the video", default=True)
    clips_enabled = BooleanField("Visitors may make quote clips", default=True)
    drafts_public = BooleanField("Show automatic captions before they are checked", default=True)
    default_view = SelectField(
        "The player opens on",
        choices=[
            SelectChoice(View.VIDEO.value, "Video"),
            SelectChoice(View.CARTOON.value, "Cartoon"),
            SelectChoice(View.FLOCK.value, "Feathered friends"),
            SelectChoice(View.AUDIO.value, "Audio only"),
        ],
        default=View.VIDEO.value,
    )
    flock_style = SelectField(
        "Feathered friends are filmed",
        choices=[
            SelectChoice("directed", "Directed: shots follow who speaks"),
            SelectChoice("lineup", "Line-up: everyone in one fixed view"),
        ],
        default="lineup",
    )


class PublishForm(FlaskForm):
    status = SelectField(
        "Visibility",
        choices=[
            SelectChoice(PanelStatus.DRAFT.value, "Draft: organisers only"),
            SelectChoice(PanelStatus.PUBLISHED.value, "Published: listed and public"),
            SelectChoice(PanelStatus.UNLISTED.value, "Unlisted: anyone with the link"),
            SelectChoice(PanelStatus.SCHEDULED.value, "Scheduled: public from the time below"),
        ],
    )
    publish_at = DateTimeLocalField("Publish at (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()])


def _validate_links(_form, field):
    for line in (field.data or "").splitlines():
        line = line.strip()
        parts = urlsplit(line)
        if line and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise ValidationError(f"“{line[:60]}” is not a web address starting with http:// or https://.")


class PanelistForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    headline = StringField("Headline", validators=[Optional(), Length(max=200)])
    bio = TextAreaField("Biography (markdown)", validators=[Optional(), Length(max=20000)])
    links = TextAreaField("Links, one per line", validators=[Optional(), Length(max=2000), _validate_links])
    photo = FileField("Portrait photo (JPEG, PNG, WebP or GIF)")
    avatar = FileField("Cartoon avatar (JPEG, PNG, WebP or GIF)")


#: How a panelist may appear, as the consent menus offer it.
CONSENT_CHOICES = [
    SelectChoice(Consent.VIDEO.value, "Video: their face is fine"),
    SelectChoice(Consent.CARTOON.value, "Cartoon: a stylised picture, not the camera's"),
    SelectChoice(Consent.BIRD.value, "Bird only"),
]


class SeatingForm(FlaskForm):
    """How someone sits on a panel: role, place in the line-up, consent."""

    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in SeatRole])
    #: Empty puts them at the end of the line-up; a number moves them to that place.
    position = IntegerField("Place in the line-up", validators=[Optional(), NumberRange(min=0, max=999)])
    consent = SelectField(
        "Agreed to appear as",
        choices=[SelectChoice("", "Not recorded yet (only the bird is shown)"), *CONSENT_CHOICES],
        default="",
    )


class SeatForm(SeatingForm):
    panelist_id = SelectField("Panelist", coerce=int)


class ConsentForm(FlaskForm):
    """One seat's consent, changed on its own (a panelist who withdraws video consent)."""

    consent = SelectField("Appears as", choices=CONSENT_CHOICES)


class DeleteForm(FlaskForm):
    """An empty form: carries only the CSRF token for delete buttons."""


class PosterForm(FlaskForm):
    at = StringField("Poster frame at", validators=[DataRequired(), Length(max=12)])

    def validate_at(self, field):
        if parse_time(field.data) is None:
            raise ValidationError("Give the moment as seconds or m:ss, for example 1:30.")

    def seconds(self) -> float:
        return parse_time(self.at.data)
