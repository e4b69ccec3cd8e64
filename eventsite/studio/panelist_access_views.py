"""Studio: send a panelist the magic link that lets them comment as themselves, or revoke it.

Access is per event (``?event=<id>``): an organiser chooses among the events
the panelist sits on that they manage, and never sees or touches another
event's grant (the address typed there, its link, its revoke).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from ..accounts.access import event_scope
from ..discussion import panelists
from ..events.models import Event, Panel, Panelist, Seat
from ..extensions import db
from . import bp
from .loaders import organiser, person_or_404


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


def _events_of(person: Panelist) -> list[Event]:
    """The events whose panels ``person`` sits on and this organiser manages, by name."""
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(
                sa.exists().where(Seat.panelist_id == person.id, Seat.panel_id == Panel.id, Panel.event_id == Event.id),
                event_scope(organiser(), Event.id),
            )
            .order_by(Event.name, Event.id)
        )
    )


def _load(person_id: int) -> tuple[Panelist, Event | None, list[Event]]:
    """The panelist, the event chosen by ``?event=`` (else the first), and the events to choose from.

    :raise 404: no such panelist, one this organiser may not see, or an event not among theirs.
    """
    person = person_or_404(person_id)
    events = _events_of(person)
    chosen = request.args.get("event", type=int)
    event = next((e for e in events if e.id == chosen), None) if chosen is not None else next(iter(events), None)
    if chosen is not None and event is None:
        abort(404)
    return person, event, events


def _page(person: Panelist, event: Event | None, events: list[Event], form: MagicLinkForm, status: int = 200):
    access = panelists.access_for(person, event) if event is not None else None
    if access is not None and not form.email.data and not form.errors:
        form.email.data = access.email
    body = render_template(
        "studio/panelist_access.html",
        person=person,
        event=event,
        events=events,
        access=access,
        form=form,
        revoke_form=RevokeForm(),
    )
    return body, status


@bp.get("/people/<int:person_id>/comment-access")
def panelist_access(person_id: int):
    """Whether the panelist can comment as themselves, with the link and revoke buttons.

    :raise 404: no such panelist, or another event's.
    """
    return _page(*_load(person_id), MagicLinkForm())


@bp.post("/people/<int:person_id>/comment-access/link")
def panelist_access_send(person_id: int):
    """Mail the panelist a fresh magic link (an unused older one stops working).

    :raise 404: no such panelist, another event's, or one on no panel of this organiser's events.
    """
    person, event, events = _load(person_id)
    if event is None:
        abort(404)
    form = MagicLinkForm()
    if not form.validate_on_submit():
        return _page(person, event, events, form, 400)
    if panelists.send_magic_link(person, event, form.email.data):
        flash(f"Link sent to {person.name} for {event.name}.", "success")
    else:
        flash("The mail server did not take the message; please try again later.", "error")
    return redirect(url_for(".panelist_access", person_id=person.id, event=event.id), 303)


@bp.post("/people/<int:person_id>/comment-access/revoke")
def panelist_access_revoke(person_id: int):
    """Stop every browser commenting as the panelist, at once.

    :raise 404: no such panelist, another event's, or one on no panel of this organiser's events.
    """
    person, event, _events = _load(person_id)
    if event is None:
        abort(404)
    if RevokeForm().validate_on_submit() and panelists.revoke(person, event):
        flash(f"Revoked: no browser comments as {person.name} on {event.name}'s panels any more.", "success")
    return redirect(url_for(".panelist_access", person_id=person.id, event=event.id), 303)
