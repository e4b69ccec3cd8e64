"""Forms: the visitor's sign-up, the mailed links' buttons, and the studio's offer form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from .models import DEFAULT_BUTTON_TEXT

#: Field ids on the panel page get this prefix: the comment form there has an "email" field too.
SIGNUP_PREFIX = "offer"


class SignupForm(FlaskForm):
    """E-mail and consent; the honeypot and the signed time are the comment form's bot defences."""

    email = EmailField(
        "Your e-mail address",
        # Phones and paste add spaces around addresses; they are not part of it.
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired("Please give your e-mail address."),
            Email("That doesn't look like an e-mail address.", check_deliverability=False),
            Length(max=254),
        ],
    )
    #: Labelled with the offer's own consent text in the template.
    consent = BooleanField("I agree", validators=[InputRequired("Please tick the box to agree, or we can't send it.")])
    #: Signed time the form was shown (see :func:`tokens.form_token`).
    started = HiddenField()
    #: Honeypot: hidden from people by CSS; bots fill it in.
    company = StringField("Company (leave this empty)")


class ConfirmForm(FlaskForm):
    """The button behind a mailed link (mail scanners open links; only a person presses it)."""


class UnsubscribeForm(FlaskForm):
    """Carries nothing: the signed token in the URL is the authority."""

    class Meta:
        # Mail clients POST here without a session (RFC 8058 one-click).
        csrf = False


class OfferForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Please give the guide a title."), Length(max=200)])
    pitch = TextAreaField("Short pitch", validators=[Optional(), Length(max=600)])
    button_text = StringField("Button text", default=DEFAULT_BUTTON_TEXT, validators=[Optional(), Length(max=60)])
    consent_text = TextAreaField(
        "Consent text (beside the checkbox)",
        validators=[DataRequired("Please write what people agree to when they sign up."), Length(max=1000)],
    )
    #: "" (every panel), "event-<id>" or "panel-<id>"; choices are set by the view.
    scope = SelectField("Show it on", choices=[SelectChoice("", "Every panel")], validate_choice=True)
    guide = FileField("The guide (PDF)")
    active = BooleanField("Show the offer and take sign-ups", default=True)


class DeleteForm(FlaskForm):
    """A CSRF-protected button."""
