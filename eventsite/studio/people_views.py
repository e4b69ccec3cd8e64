"""Studio pages for panelists."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, url_for

from ..accounts.access import people_scope, sits_only_on_own_events
from ..events.artwork import check_bird_artwork
from ..events.images import ImageError
from ..events.models import Panelist
from ..extensions import db
from . import bp
from . import operations as ops
from .forms import DeleteForm, PanelistForm
from .loaders import organiser, person_or_404


@bp.route("/people/")
def people():
    """The people this organiser may see: everyone, or (limited to some events) those
    seated on their events' panels and those seated nowhere yet."""
    people = db.session.scalars(sa.select(Panelist).where(people_scope(organiser())).order_by(Panelist.name)).all()
    return render_template("studio/people.html", people=people, delete_form=DeleteForm())


@bp.route("/people/new", methods=["GET", "POST"], defaults={"person_id": None})
@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def person_edit(person_id: int | None):
    """Create or edit a panelist, with portrait and cartoon avatar uploads."""
    person = person_or_404(person_id) if person_id else None
    form = PanelistForm(obj=person)
    if form.validate_on_submit():
        try:
            if form.avatar.data:
                check_bird_artwork(form.avatar.data, max_bytes=current_app.config["MAX_IMAGE_BYTES"])
        except ImageError as exc:
            # said beside the avatar field too, where the organiser will pick another file
            form.avatar.errors = [str(exc)]
            flash(f"Nothing was saved: {exc}", "error")
            return render_template("studio/person_form.html", form=form, person=person), 400
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
            return render_template("studio/person_form.html", form=form, person=person), 400
        flash(f"{person.name} saved.", "success")
        return redirect(url_for(".people"))
    return render_template("studio/person_form.html", form=form, person=person)


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
