"""Forms: the visitor's comment form and the organisers' moderation forms."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from .markup import clean_website
from .models import BlockKind
from .moderation import BADGES, Action


def _comment_length(_form, field) -> None:
    limit = current_app.config["COMMENT_MAX_LENGTH"]
    if field.data and len(field.data) > limit:
        raise ValidationError(f"Your comment is {len(field.data):,} characters long; the limit is {limit:,}.")


def _optional_int(value):
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    # Beyond any database id (SQLite overflows past 2**63): treat as "no parent".
    return number if number is None or 0 < number < 2**31 else None


def _video_time(value):
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    # Anything outside a day is not a moment in a panel recording.
    return round(seconds, 1) if 0 <= seconds < 86400 else None


def _single_line(_form, field):
    # A name is printed in e-mail subjects and headings: no line breaks or control characters.
    if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in field.data or ""):
        raise ValidationError("Please write your name on one line.")


class CommentForm(FlaskForm):
    """WordPress's comment form, field for field ("Leave a Reply")."""

    body = TextAreaField("Comment", validators=[DataRequired("Please write a comment."), _comment_length])
    name = StringField("Name", validators=[DataRequired("Please give your name."), Length(max=100), _single_line])
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Please give your e-mail address; it is never published."),
            Email("That doesn't look like an e-mail address.", check_deliverability=False),
            Length(max=254),
        ],
    )
    website = StringField("Website", validators=[Optional(), Length(max=300)])
    notify = BooleanField("Notify me of replies by email")
    parent_id = HiddenField(filters=[_optional_int])
    video_time = HiddenField(filters=[_video_time])
    #: Signed time the form was shown (see :func:`tokens.form_token`).
    started = HiddenField()
    #: Honeypot: hidden from people by CSS; bots fill it in.
    company = StringField("Company (leave this empty)")

    def validate_website(self, field) -> None:
        if field.data and not clean_website(field.data):
            raise ValidationError("Please give a web address starting with http:// or https://, or leave it empty.")


class PanelistCommentForm(CommentForm):
    """The form a verified panelist's browser gets: their name and address are fixed."""

    name = None
    email = None
    website = None


class PanelistNotifyForm(FlaskForm):
    notify = BooleanField("E-mail me about new comments on my panels")


class ConfirmLinkForm(FlaskForm):
    """The button behind a mailed link (mail scanners open links; only a person presses it)."""


class EditCommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired("Please write a comment."), _comment_length])
    token = HiddenField()


class DeleteCommentForm(FlaskForm):
    token = HiddenField()


class UnsubscribeForm(FlaskForm):
    """Carries nothing: the signed token in the URL is the authority."""

    class Meta:
        # Mail clients POST here without a session (RFC 8058 one-click).
        csrf = False


class ModerationForm(FlaskForm):
    """One CSRF-protected form around the whole queue; checkboxes are named ``ids``."""

    action = SelectField("With the selected comments", choices=[SelectChoice(a.value, a.value) for a in Action])


class OrganiserReplyForm(FlaskForm):
    body = TextAreaField("Your reply", validators=[DataRequired("Please write a reply."), _comment_length])
    badge = SelectField("Show as", choices=[SelectChoice(b, b) for b in BADGES])


class BlockForm(FlaskForm):
    kind = SelectField(
        "Block",
        choices=[
            SelectChoice(BlockKind.EMAIL.value, "An e-mail address"),
            SelectChoice(BlockKind.IP_RANGE.value, "An IP range"),
        ],
    )
    value = StringField("Address or range", validators=[DataRequired(), Length(max=254)])


class BlockSenderForm(FlaskForm):
    kind = HiddenField()
