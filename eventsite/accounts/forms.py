"""Sign-in, "forgot your password?" and choosing a password."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .operations import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in")
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "The e-mail address of your organiser account",
        validators=[
            DataRequired("Please give your e-mail address."),
            Email("That doesn't look like an e-mail address.", check_deliverability=False),
            Length(max=254),
        ],
    )


class ChoosePasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Please choose a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use at least {MIN_PASSWORD_LENGTH} characters (a few words make a good password).",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "The same password again",
        validators=[DataRequired("Please type the password again."), EqualTo("password", "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
