"""Studio: send a panelist the magic link that lets them comment as themselves, or revoke it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from ..discussion import panelists
from ..events.models import Panelist
from . import bp
from .loaders import person_or_404


class MagicLinkForm(FlaskForm):
    email = EmailField(
        "The panelist's e-mail address",
        validators=[
            DataRequired("Please give the address to send the link to."),
            Email("That doesn't look like an e-mail address.", check_deliverability=False),
            Length(max=254),
        ],
    )


class RevokeForm(FlaskForm):
    """Carries only the CSRF token."""


def _panelist_or_404(person_id: int) -> Panelist:
    """:raise 404: no such panelist, or one this organiser may not see."""
    return person_or_404(person_id)


def _page(person: Panelist, form: MagicLinkForm, status: int = 200):
    access = panelists.access_for(person)
    if access is not None and not form.email.data and not form.errors:
        form.email.data = access.email
    body = render_template(
        "studio/panelist_access.html", person=person, access=access, form=form, revoke_form=RevokeForm()
    )
    return body, status


@bp.get("/people/<int:person_id>/comment-access")
def panelist_access(person_id: int):
    """Whether the panelist can comment as themselves, with the link and revoke buttons.

    :raise 404: no such panelist.
    """
    return _page(_panelist_or_404(person_id), MagicLinkForm())


@bp.post("/people/<int:person_id>/comment-access/link")
def panelist_access_send(person_id: int):
    """Mail the panelist a fresh magic link (an unused older one stops working).

    :raise 404: no such panelist.
    """
    person = _panelist_or_404(person_id)
    form = MagicLinkForm()
    if not form.validate_on_submit():
        return _page(person, form, 400)
    if panelists.send_magic_link(person, form.email.data):
        flash(f"Link sent to {person.name}.", "success")
    else:
        flash("The mail server did not take the message; please try again later.", "error")
    return redirect(url_for(".panelist_access", person_id=person.id), 303)


@bp.post("/people/<int:person_id>/comment-access/revoke")
def panelist_access_revoke(person_id: int):
    """Stop every browser commenting as the panelist, at once.

    :raise 404: no such panelist.
    """
    person = _panelist_or_404(person_id)
    if RevokeForm().validate_on_submit() and panelists.revoke(person):
        flash(f"Revoked: no browser comments as {person.name} any more.", "success")
    return redirect(url_for(".panelist_access", person_id=person.id), 303)
