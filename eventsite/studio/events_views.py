"""Studio pages for events and panels."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from ..accounts.access import grant_event, manageable_events_query, panel_scope, people_scope
from ..discussion.models import Comment, CommentStatus
from ..discussion.queries import status_counts
from ..events.models import Consent, Event, Panelist, PanelStatus, SeatRole
from ..events.operations import PublishError, publish_panel
from ..extensions import db
from ..recordings.opening import VIEW_LABELS
from . import bp
from . import operations as ops
from .deletion import loss_of
from .forms import CONSENT_CHOICES, ConsentForm, DeleteForm, EventForm, PanelForm, PublishForm, SeatForm
from .loaders import event_or_404, organiser, panel_or_404, seat_or_404


@bp.route("/")
def dashboard():
    """Every event this organiser manages, with all its panels, whatever their status."""
    me = organiser()
    events = db.session.scalars(
        manageable_events_query(me)
        .options(so.selectinload(Event.panels))
        .order_by(Event.starts_on.desc().nulls_last(), Event.id.desc())
    ).all()
    people = db.session.scalar(sa.select(sa.func.count(Panelist.id)).where(people_scope(me)))
    pending = status_counts(scope=panel_scope(me, Comment.panel_id)).get(CommentStatus.PENDING, 0)
    return render_template(
        "studio/dashboard.html", events=events, people_count=people, pending_count=pending, delete_form=DeleteForm()
    )


@bp.route("/events/new", methods=["GET", "POST"])
def event_new():
    form = EventForm()
    if form.validate_on_submit():
        event = ops.save_event(form.data)
        grant_event(organiser(), event)  # a limited organiser manages the events they create
        db.session.commit()
        flash(f"Event “{event.name}” created.", "success")
        return redirect(url_for(".dashboard"))
    return render_template("studio/event_form.html", form=form, event=None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def event_edit(event_id: int):
    event = event_or_404(event_id)
    form = EventForm(obj=event)
    if form.validate_on_submit():
        ops.save_event(form.data, event)
        flash("Event saved.", "success")
        return redirect(url_for(".dashboard"))
    return render_template("studio/event_form.html", form=form, event=event)


@bp.route("/events/<int:event_id>/delete", methods=["GET", "POST"])
def event_delete(event_id: int):
    """Ask, saying what goes with it (panels, recordings, comments, clips); then delete the event.

    :raise 404: no such event, or one this organiser does not manage.
    """
    event = event_or_404(event_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        return _confirm_delete(event.name, "event", loss_of(event), form, url_for(".dashboard"))
    ops.delete_row(event)
    flash(f"Event “{event.name}” and its panels deleted.", "success")
    return redirect(url_for(".dashboard"))


def _confirm_delete(name: str, kind: str, loss, form: DeleteForm, back: str, panel=None):
    return render_template(
        "studio/confirm_delete.html", name=name, kind=kind, loss=loss, form=form, back=back, panel=panel
    )


@bp.route("/events/<int:event_id>/panels/new", methods=["GET", "POST"])
def panel_new(event_id: int):
    event = event_or_404(event_id)
    form = PanelForm()
    if form.validate_on_submit():
        panel = ops.save_panel(form.data, event)
        flash(f"Panel “{panel.title}” created as a draft.", "success")
        return redirect(url_for(".panel", panel_id=panel.id))
    return render_template("studio/panel_form.html", form=form, event=event, panel=None)


def _seat_form() -> SeatForm:
    form = SeatForm(prefix="seat")
    people = db.session.scalars(sa.select(Panelist).where(people_scope(organiser())).order_by(Panelist.name))
    form.panelist_id.choices = [SelectChoice(p.id, p.name) for p in people]
    return form


@bp.route("/panels/<int:panel_id>/", methods=["GET", "POST"])
def panel(panel_id: int):
    """A panel's studio page: details, seats and publishing."""
    panel = panel_or_404(panel_id)
    form = PanelForm(obj=panel)
    if form.validate_on_submit():
        ops.save_panel(form.data, panel.event, panel)
        flash("Panel saved.", "success")
        return redirect(url_for(".panel", panel_id=panel.id))
    publish = PublishForm(prefix="publish", status=panel.status.value, publish_at=panel.publish_at)
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "studio/panel.html",
            panel=panel,
            form=form,
            publish_form=publish,
            seat_form=_seat_form(),
            consent_choices=CONSENT_CHOICES,
            delete_form=DeleteForm(),
        ),
        status,
    )


@bp.route("/panels/<int:panel_id>/publish", methods=["POST"])
def panel_publish(panel_id: int):
    panel = panel_or_404(panel_id)
    form = PublishForm(prefix="publish")
    if form.validate_on_submit():
        try:
            publish_panel(panel, PanelStatus(form.status.data), ops._aware(form.publish_at.data))
            flash(f"Visibility set to {panel.status.value}.", "success")
        except PublishError as exc:
            flash(str(exc), "error")
    else:
        flash("Please choose a visibility.", "error")
    return redirect(url_for(".panel", panel_id=panel.id))


@bp.route("/panels/<int:panel_id>/delete", methods=["GET", "POST"])
def panel_delete(panel_id: int):
    """Ask, saying what goes with it (recordings, comments, clips); then delete the panel.

    :raise 404: no such panel, or one of an event this organiser does not manage.
    """
    panel = panel_or_404(panel_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        back = url_for(".panel", panel_id=panel.id)
        return _confirm_delete(panel.title, "panel", loss_of(panel), form, back, panel=panel)
    ops.delete_row(panel)
    flash(f"Panel “{panel.title}” deleted.", "success")
    return redirect(url_for(".dashboard"))


@bp.route("/panels/<int:panel_id>/seats", methods=["POST"])
def seat_add(panel_id: int):
    panel = panel_or_404(panel_id)
    form = _seat_form()  # its choices are the people this organiser may see
    if form.validate_on_submit():
        person = db.get_or_404(Panelist, form.panelist_id.data)
        consent = Consent(form.consent.data) if form.consent.data else None
        already = any(seat.panelist_id == person.id for seat in panel.seats)
        seat = ops.seat_panelist(panel, person, SeatRole(form.role.data), form.position.data, consent)
        flash(
            f"{person.name}'s seat updated ({seat.role.value})."
            if already
            else f"{person.name} seated as {seat.role.value}.",
            "success",
        )
    else:
        flash("Choose a panelist and a role; the place in the line-up is a number from 0 to 999.", "error")
    return redirect(url_for(".panel", panel_id=panel.id) + "#seats")


#: What each consent lets the public see, in the words of the message after saving it.
CONSENT_MEANS = {
    Consent.VIDEO: "on video: every view",
    Consent.CARTOON: "as a cartoon, a bird or their voice: no camera picture",
    Consent.BIRD: "as a bird or by their voice only",
}


@bp.route("/seats/<int:seat_id>/consent", methods=["POST"])
def seat_consent(seat_id: int):
    """Record or change one seat's consent, and say what the public page offers now.

    :raise 404: no such seat, or one on a panel this organiser does not manage.
    """
    seat = seat_or_404(seat_id)
    form = ConsentForm()
    if form.validate_on_submit():
        ops.record_consent(seat, Consent(form.consent.data))
        offered = [label for view, label in VIEW_LABELS.items() if view in seat.panel.public_views()]
        flash(
            f"Consent saved: {seat.panelist.name} appears {CONSENT_MEANS[seat.consent]}. "
            f"The public page now offers {', '.join(offered).lower()}.",
            "success",
        )
    else:
        flash("Choose how this panelist agreed to appear.", "error")
    return redirect(url_for(".panel", panel_id=seat.panel_id) + f"#seat-{seat.id}")


@bp.route("/seats/<int:seat_id>/delete", methods=["POST"])
def seat_delete(seat_id: int):
    seat = seat_or_404(seat_id)
    panel_id = seat.panel_id
    if DeleteForm().validate_on_submit():
        ops.delete_row(seat)
        flash("Panelist removed from the panel.", "success")
    return redirect(url_for(".panel", panel_id=panel_id) + "#seats")
