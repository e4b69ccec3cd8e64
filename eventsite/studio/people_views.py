"""Studio pages for panelists."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for

from ..accounts.access import people_scope, sits_only_on_own_events
from ..events.artwork import check_bird_artwork
from ..events.images import ImageError
from ..events.models import Consent, Panel, Panelist, SeatRole
from ..extensions import db
from . import bp
from . import operations as ops
from .forms import DeleteForm, PanelistForm, SeatingForm
from .loaders import organiser, panel_or_404, person_or_404


@bp.route("/people/")
def people():
    """The people this organiser may see: everyone, or (limited to some events) those
    seated on their events' panels and those seated nowhere yet."""
    people = db.session.scalars(sa.select(Panelist).where(people_scope(organiser())).order_by(Panelist.name)).all()
    return render_template("studio/people.html", people=people, delete_form=DeleteForm())


@bp.route("/people/new", methods=["GET", "POST"], defaults={"person_id": None})
@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def person_edit(person_id: int | None):
    """Create or edit a panelist, with portrait and cartoon avatar uploads.

    From a panel's seat form (``?panel=ID``) a new person is seated on that panel
    as they are saved, and the organiser goes back to the panel.

    :raise 404: no such panelist or panel, or one this organiser may not see.
    """
    person = person_or_404(person_id) if person_id else None
    panel_id = request.args.get("panel", type=int)
    panel = panel_or_404(panel_id) if panel_id and person is None else None
    form = PanelistForm(obj=person)
    seating = SeatingForm(prefix="seat", meta={"csrf": False}) if panel else None  # the person form carries the token
    if form.validate_on_submit() and (seating is None or seating.validate()):
        try:
            if form.avatar.data:
                check_bird_artwork(form.avatar.data, max_bytes=current_app.config["MAX_IMAGE_BYTES"])
        except ImageError as exc:
            # said beside the avatar field too, where the organiser will pick another file
            form.avatar.errors = [str(exc)]
            flash(f"Nothing was saved: {exc}", "error")
            return _person_page(form, person, panel, seating), 400
        try:
            person = ops.save_panelist(
                form.data,
                person,
                photo=form.photo.data,
                avatar=form.avatar.data,
                max_image_bytes=current_app.config["MAX_IMAGE_BYTES"],
            )
        except ImageError as exc:
            form.photo.errors = [] if form.photo.errors is None else list(form.photo.errors)
            flash(f"Nothing was saved: {exc}", "error")
            return _person_page(form, person, panel, seating), 400
        if panel:
            consent = Consent(seating.consent.data) if seating.consent.data else None
            seat = ops.seat_panelist(panel, person, SeatRole(seating.role.data), seating.position.data, consent)
            flash(f"{person.name} saved and seated on “{panel.title}” as {seat.role.value}.", "success")
            return redirect(url_for(".panel", panel_id=panel.id) + f"#seat-{seat.id}")
        flash(f"{person.name} saved.", "success")
        return redirect(url_for(".people"))
    return _person_page(form, person, panel, seating)


def _person_page(form: PanelistForm, person: Panelist | None, panel: Panel | None, seating: SeatingForm | None):
    return render_template("studio/person_form.html", form=form, person=person, panel=panel, seating=seating)


@bp.route("/people/<int:person_id>/delete", methods=["POST"])
def person_delete(person_id: int):
    """Delete a panelist and their seats.

    :raise 404: no such panelist, or one this organiser may not see.
    """
    person = person_or_404(person_id)
    if not sits_only_on_own_events(organiser(), person.id):
        flash(f"{person.name} also sits on panels of events you don't manage, so only they can delete them.", "error")
    elif DeleteForm().validate_on_submit():
        ops.delete_panelist(person)
        flash(f"{person.name} deleted.", "success")
    return redirect(url_for(".people"))
