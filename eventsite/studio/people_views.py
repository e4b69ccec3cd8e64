"""Studio pages for panelists."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for

from ..events.artwork import check_bird_artwork
from ..events.images import ImageError
from ..events.models import Panelist
from ..extensions import db
from . import bp
from . import operations as ops
from .forms import DeleteForm, PanelistForm


@bp.route("/people/")
def people():
    people = db.session.scalars(sa.select(Panelist).order_by(Panelist.name)).all()
    return render_template("studio/people.html", people=people, delete_form=DeleteForm())


@bp.route("/people/new", methods=["GET", "POST"], defaults={"person_id": None})
@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def person_edit(person_id: int | None):
    """Create or edit a panelist, with portrait and cartoon avatar uploads."""
    person = db.session.get(Panelist, person_id) if person_id else None
    if person_id and person is None:
        abort(404)
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
    person = db.session.get(Panelist, person_id)
    if person is None:
        abort(404)
    if DeleteForm().validate_on_submit():
        ops.delete_panelist(person)
        flash(f"{person.name} deleted.", "success")
    return redirect(url_for(".people"))
