"""Forms of the admins' team pages and of everyone's API tokens page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts.models import Role
from ..accounts.tokens import TOKEN_DAYS_CHOICES

ROLE_CHOICES = [
    SelectChoice(Role.ORGANISER.value, "Organiser: manages events, their panels, media and comments"),
    SelectChoice(Role.ADMIN.value, "Admin: all of that on every event, and the organisers' accounts"),
]


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (usable without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccessForm(FlaskForm):
    """Role and events: the part of an account an admin changes."""

    role = RadioField("Role", choices=ROLE_CHOICES, default=Role.ORGANISER.value)
    all_events = BooleanField("Every event (also the ones created later)", default=True)
    events = CheckboxListField("Or only these events", coerce=int, validators=[Optional()])


class InviteForm(AccessForm):
    email = EmailField(
        "E-mail address",
        validators=[
            DataRequired("Please give the address to send the invitation to."),
            Email("That doesn't look like an e-mail address.", check_deliverability=False),
            Length(max=254),
        ],
    )
    name = StringField("Name", validators=[DataRequired("Please give their name."), Length(max=200)])


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


class TokenForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired("Please name the token, e.g. “upload script on my laptop”."), Length(max=100)],
    )
    days = SelectField(
        "Expires after",
        coerce=int,
        choices=[SelectChoice(days, f"{days} days") for days in TOKEN_DAYS_CHOICES],
    )
