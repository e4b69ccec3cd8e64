"""The admins' team pages: organisers' accounts, invitations, roles, events, deactivation.

Only admins reach them; everyone else gets 404, as if they did not exist.
The work is done by :mod:`eventsite.accounts.team`.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from ..accounts import team
from ..accounts.links import pending_invite
from ..accounts.models import ApiToken, Organiser, Role
from ..accounts.operations import AccountError
from ..accounts.tokens import revoke_token, tokens_of
from ..database import utcnow
from ..events.models import Event
from ..extensions import db
from . import bp
from .loaders import organiser, require_admin
from .team_forms import AccessForm, ActionForm, InviteForm

MAIL_FAILED = "The mail server did not take the message; try again from their page later."


@bp.before_request
def admins_only_on_team_pages():
    """:raise 404: a team page asked for by someone who is not an admin (every
    ``team_*`` view, including any added later)."""
    if request.endpoint and request.endpoint.startswith("studio.team"):
        require_admin()


def _member_or_404(organiser_id: int) -> Organiser:
    return db.get_or_404(Organiser, organiser_id)


def _with_event_choices(form: AccessForm) -> AccessForm:
    events = db.session.scalars(sa.select(Event).order_by(Event.name)).all()
    form.events.choices = [SelectChoice(event.id, event.name) for event in events]
    return form


@bp.get("/team/")
def team_list():
    """Every organiser's account: role, events, status, last sign-in."""
    members = team.team()
    invites = {member.id: pending_invite(member) for member in members if not member.has_password}
    return render_template("studio/team.html", members=members, invites=invites, now=utcnow())


@bp.route("/team/invite", methods=["GET", "POST"])
def team_invite():
    """Create an account for someone and mail them the link to choose their password."""
    form = _with_event_choices(InviteForm())
    if form.validate_on_submit():
        try:
            member, mailed = team.invite(
                form.email.data,
                form.name.data,
                Role(form.role.data),
                form.all_events.data,
                form.events.data or [],
                invited_by=organiser(),
            )
        except AccountError as exc:
            form.email.errors = [str(exc)]
        else:
            if mailed:
                flash(f"Invitation sent to {member.email}.", "success")
            else:
                flash(f"{member.name}'s account was made, but {MAIL_FAILED}", "error")
            return redirect(url_for(".team_member", organiser_id=member.id), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("studio/team_invite.html", form=form), status


def _member_page(member: Organiser, form: AccessForm, status: int = 200):
    page = render_template(
        "studio/team_member.html",
        member=member,
        form=form,
        action_form=ActionForm(),
        tokens=tokens_of(member),
        invite=pending_invite(member) if not member.has_password else None,
        is_me=member.id == organiser().id,
        now=utcnow(),
    )
    return page, status


@bp.route("/team/<int:organiser_id>/", methods=["GET", "POST"])
def team_member(organiser_id: int):
    """One account: change its role and events; buttons for links, tokens and deactivation.

    :raise 404: no such organiser.
    """
    member = _member_or_404(organiser_id)
    form = _with_event_choices(AccessForm())
    if not form.is_submitted():
        form.role.data = member.role.value
        form.all_events.data = member.all_events
        form.events.data = [event.id for event in member.events]
    elif form.validate_on_submit():
        try:
            team.change_access(member, Role(form.role.data), form.all_events.data, form.events.data or [], organiser())
        except AccountError as exc:
            db.session.rollback()
            form.role.errors = [str(exc)]
            return _member_page(member, form, 422)
        flash(f"{member.name}'s access saved.", "success")
        return redirect(url_for(".team_member", organiser_id=member.id), 303)
    else:
        return _member_page(member, form, 400)
    return _member_page(member, form)


def _act(organiser_id: int, action: Callable[[Organiser], object], done: Callable[[Organiser], str]):
    """Run ``action(member)`` behind a CSRF-checked button, then back to the member's page.

    ``action`` returning False means a mail did not go out.
    """
    member = _member_or_404(organiser_id)
    if ActionForm().validate_on_submit():
        try:
            result = action(member)
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            if result is False:
                flash(MAIL_FAILED, "error")
            else:
                flash(done(member), "success")
    else:
        flash("The form expired; please try again.", "error")
    return redirect(url_for(".team_member", organiser_id=member.id), 303)


@bp.post("/team/<int:organiser_id>/deactivate")
def team_deactivate(organiser_id: int):
    """Close an account at once: sessions, tokens and links stop at their next use.

    :raise 404: no such organiser.
    """
    return _act(
        organiser_id, lambda m: team.deactivate(m, organiser()), lambda m: f"{m.name}'s account is deactivated."
    )


@bp.post("/team/<int:organiser_id>/reactivate")
def team_reactivate(organiser_id: int):
    """Open a deactivated account again (old sessions and tokens stay dead).

    :raise 404: no such organiser.
    """
    return _act(organiser_id, team.reactivate, lambda m: f"{m.name}'s account is active again.")


@bp.post("/team/<int:organiser_id>/reset")
def team_reset(organiser_id: int):
    """Mail the organiser a link to choose a new password.

    :raise 404: no such organiser.
    """
    return _act(organiser_id, team.send_reset, lambda m: f"A password-reset link was sent to {m.email}.")


@bp.post("/team/<int:organiser_id>/invite")
def team_reinvite(organiser_id: int):
    """Send the invitation again with a fresh link (the old one stops working).

    :raise 404: no such organiser.
    """
    return _act(
        organiser_id,
        lambda m: team.resend_invite(m, organiser()),
        lambda m: f"A new invitation was sent to {m.email}.",
    )


@bp.post("/team/<int:organiser_id>/tokens/<int:token_id>/revoke")
def team_token_revoke(organiser_id: int, token_id: int):
    """Revoke one of the organiser's API tokens.

    :raise 404: no such organiser, or no such token of theirs.
    """
    member = _member_or_404(organiser_id)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.organiser_id == member.id))
    if token is None:
        abort(404)
    return _act(organiser_id, lambda _m: revoke_token(token), lambda _m: f"The token “{token.name}” is revoked.")
