"""Studio pages for offers: list, create, edit, delete; subscribers and their CSV.

A blueprint of its own under ``/studio/offers/``, closed to everyone but
signed-in organisers exactly as the studio is. An organiser limited to some
events sees and makes only offers shown on their events (an offer for every
panel, and its subscribers, belong to those who manage every event).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..accounts.access import event_scope, manageable_events_query
from ..events.models import Event, Panel
from ..extensions import db
from . import operations as ops
from .export import subscribers_csv
from .forms import DeleteForm, OfferForm
from .models import Offer, Subscriber
from .pdf import PdfError

bp = Blueprint("offers_studio", __name__, url_prefix="/studio/offers")


def _offer_scope() -> sa.ColumnElement[bool]:
    """The offers the signed-in organiser manages: every one, or those shown on their events."""
    if current_user.manages_every_event:
        return sa.true()
    own_panels = sa.select(Panel.id).where(event_scope(current_user, Panel.event_id))
    return sa.or_(event_scope(current_user, Offer.event_id), Offer.panel_id.in_(own_panels))


def _offer_or_404(offer_id: int) -> Offer:
    """:raise 404: no such offer, or one not shown on the organiser's events."""
    offer = db.session.scalar(sa.select(Offer).where(Offer.id == offer_id, _offer_scope()))
    if offer is None:
        abort(404)
    return offer


def _scope_choices() -> list[SelectChoice]:
    """ "Every panel" (for those who manage every event), each event, each panel (two queries)."""
    events = db.session.scalars(manageable_events_query(current_user).order_by(Event.name)).all()
    panels = db.session.scalars(
        sa.select(Panel)
        .where(event_scope(current_user, Panel.event_id))
        .options(so.joinedload(Panel.event))
        .order_by(Panel.title)
    ).all()
    every = [SelectChoice("", "Every panel")] if current_user.manages_every_event else []
    return (
        every
        + [SelectChoice(f"event-{e.id}", f"Panels of {e.name}") for e in events]
        + [SelectChoice(f"panel-{p.id}", f"Panel: {p.title} ({p.event.name})") for p in panels]
    )


def _scope_value(offer: Offer | None) -> str:
    if offer is None:
        return ""
    if offer.panel_id:
        return f"panel-{offer.panel_id}"
    return f"event-{offer.event_id}" if offer.event_id else ""


def _fields(form: OfferForm) -> ops.OfferFields:
    kind, _, number = (form.scope.data or "").partition("-")
    return ops.OfferFields(
        title=form.title.data,
        pitch=form.pitch.data or "",
        button_text=form.button_text.data or "",
        consent_text=form.consent_text.data,
        event_id=int(number) if kind == "event" else None,
        panel_id=int(number) if kind == "panel" else None,
        active=bool(form.active.data),
    )


@bp.get("/")
def offers():
    """Every offer, with how many confirmed subscribers each has."""
    confirmed = (
        sa.select(sa.func.count(Subscriber.id))
        .where(Subscriber.offer_id == Offer.id, Subscriber.confirmed_at.is_not(None))
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Offer, confirmed)
        .where(_offer_scope())
        .options(so.joinedload(Offer.event), so.joinedload(Offer.panel))
        .order_by(Offer.created_at.desc())
    ).all()
    return render_template("studio/offers.html", rows=rows, delete_form=DeleteForm())


@bp.route("/new", methods=["GET", "POST"], defaults={"offer_id": None})
@bp.route("/<int:offer_id>/edit", methods=["GET", "POST"])
def offer_edit(offer_id: int | None):
    """Create or edit an offer; the PDF is checked before anything is saved.

    :raise 404: unknown offer.
    """
    offer = _offer_or_404(offer_id) if offer_id else None
    form = OfferForm(obj=offer)
    form.scope.choices = _scope_choices()
    if not form.is_submitted():
        form.scope.data = _scope_value(offer)
    if form.validate_on_submit():
        upload = form.guide.data or None
        try:
            offer = ops.save_offer(_fields(form), offer, upload)
        except (PdfError, ValueError) as exc:
            db.session.rollback()
            form.guide.errors = [str(exc)]
            flash(f"Nothing was saved: {exc}", "error")
            return render_template("studio/offers_form.html", form=form, offer=offer), 400
        flash(f"“{offer.title}” saved.", "success")
        return redirect(url_for(".offers"))
    status = 400 if form.is_submitted() else 200
    return render_template("studio/offers_form.html", form=form, offer=offer), status


@bp.post("/<int:offer_id>/delete")
def offer_delete(offer_id: int):
    """Delete an offer with its subscribers and guide.

    :raise 404: unknown offer.
    """
    offer = _offer_or_404(offer_id)
    if DeleteForm().validate_on_submit():
        title = offer.title
        ops.delete_offer(offer)
        flash(f"“{title}” and its subscribers deleted.", "success")
    return redirect(url_for(".offers"))


def _confirmed_subscribers(offer: Offer) -> list[Subscriber]:
    return list(
        db.session.scalars(
            sa.select(Subscriber)
            .where(Subscriber.offer_id == offer.id, Subscriber.confirmed_at.is_not(None))
            .order_by(Subscriber.confirmed_at.desc(), Subscriber.id.desc())
        )
    )


@bp.get("/<int:offer_id>/subscribers")
def subscribers(offer_id: int):
    """The confirmed addresses of an offer, newest first.

    :raise 404: unknown offer.
    """
    offer = _offer_or_404(offer_id)
    waiting = db.session.scalar(
        sa.select(sa.func.count(Subscriber.id)).where(
            Subscriber.offer_id == offer.id, Subscriber.confirmed_at.is_(None)
        )
    )
    return render_template(
        "studio/offers_subscribers.html", offer=offer, subscribers=_confirmed_subscribers(offer), waiting=waiting
    )


@bp.get("/<int:offer_id>/subscribers.csv")
def subscribers_export(offer_id: int):
    """The confirmed addresses as CSV, safe to open in a spreadsheet.

    :raise 404: unknown offer.
    """
    offer = _offer_or_404(offer_id)
    body = subscribers_csv(offer, _confirmed_subscribers(offer))
    filename = f"subscribers-{ops.download_name(offer.title).removesuffix('.pdf')}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )
