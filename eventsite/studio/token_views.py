"""Every organiser's API tokens: make one (shown once), see them all, revoke one."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from ..accounts.models import ApiToken
from ..accounts.tokens import TOKEN_DAYS_CHOICES, create_token, revoke_token, tokens_of
from ..database import utcnow
from ..extensions import db
from . import bp
from .loaders import organiser
from .team_forms import ActionForm, TokenForm


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):
    me = organiser()
    body = render_template(
        "studio/tokens.html",
        form=form,
        action_form=ActionForm(),
        tokens=tokens_of(me),
        new_token=new_token,
        now=utcnow(),
    )
    response = make_response(body, status)
    # The page may show a token once; no cache (the browser's back button included) keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


def _form(*, blank: bool = False) -> TokenForm:
    """The form, with API_TOKEN_DAYS chosen (and offered, when it is not one of the usual lifetimes)."""
    form = TokenForm(formdata=None) if blank else TokenForm()
    default = int(current_app.config["API_TOKEN_DAYS"])
    if default not in TOKEN_DAYS_CHOICES:
        choices = [*form.days.choices, SelectChoice(default, f"{default} days")]
        form.days.choices = sorted(choices, key=lambda choice: choice.value)
    if blank or not form.is_submitted():
        form.days.data = default
    return form


@bp.get("/tokens/")
def tokens():
    """The signed-in organiser's tokens, and the form to make one."""
    return _page(_form())


@bp.post("/tokens/")
def token_create():
    """Make a token and show it, this once, in a read-only field with a copy button."""
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=400)
    token = create_token(organiser(), form.name.data, form.days.data)
    flash(f"Token “{form.name.data.strip()}” made. Copy it now: it is shown only this once.", "success")
    return _page(_form(blank=True), new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    """Revoke one of the organiser's own tokens; it stops working at once.

    :raise 404: no such token, or someone else's.
    """
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.organiser_id == organiser().id)
    )
    if token is None:
        abort(404)
    if ActionForm().validate_on_submit():
        revoke_token(token)
        flash(f"The token “{token.name}” is revoked.", "success")
    else:
        flash("The form expired; please try again.", "error")
    return redirect(url_for(".tokens"), 303)
