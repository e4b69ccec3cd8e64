"""Public endpoints of the free guide: sign up, confirm, download, unsubscribe.

Every mailed link first shows a page with one button and acts only on POST
(mail scanners open links; they must not confirm an address on anyone's
behalf). The download is the exception: it is only ever mailed to, or shown
to, an address that already confirmed.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from ..extensions import csrf, db, limiter
from ..recordings.serving import stored_file_response
from . import operations as ops
from . import tokens
from .block import signup_form
from .forms import SIGNUP_PREFIX, ConfirmForm, SignupForm, UnsubscribeForm
from .models import Offer
from .tokens import LinkProblem

bp = Blueprint("offers", __name__, url_prefix="/offers")


def _public_offer_or_404(offer_id: int) -> Offer:
    """:raise 404: no such offer, switched off, or on a panel the public can't see."""
    offer = db.session.get(Offer, offer_id)
    if not ops.offer_is_public(offer):
        abort(404)
    return offer


def _address_key() -> str:
    """Rate-limit key: the address typed (keyed hash, so the limiter's store names nobody)."""
    email = tokens.normalise_email(request.form.get(f"{SIGNUP_PREFIX}-email", ""))
    return "offer-signup:" + tokens.keyed_hash("rate-limit", email)


@bp.get("/<int:offer_id>/")
def offer(offer_id: int):
    """The offer on a page of its own (and the form again when a sign-up had mistakes).

    :raise 404: see :func:`_public_offer_or_404`.
    """
    found = _public_offer_or_404(offer_id)
    return render_template("offers/offer.html", offer=found, form=signup_form())


@bp.post("/<int:offer_id>/signup")
# Per address: a thousand sign-ups for one inbox are a mail bomb, not interest.
@limiter.limit(lambda: current_app.config["OFFER_SIGNUP_RATE_LIMIT"], key_func=_address_key)
# Per IP address: one machine trying many inboxes.
@limiter.limit(lambda: current_app.config["OFFER_SIGNUP_IP_RATE_LIMIT"])
def signup(offer_id: int):
    """Ask for the guide: the same answer whatever the address, then a confirmation mail.

    :raise 404: see :func:`_public_offer_or_404`.
    :raise 429: too many sign-ups for this address or from this IP address.
    """
    found = _public_offer_or_404(offer_id)
    form = SignupForm(prefix=SIGNUP_PREFIX)
    if not form.validate_on_submit():
        return render_template("offers/offer.html", offer=found, form=form), 400
    ops.sign_up(
        found,
        ops.SignUp(
            email=form.email.data, form_age=tokens.form_age(form.started.data), honeypot=form.company.data or ""
        ),
    )
    return redirect(url_for(".sent", offer_id=found.id), 303)


@bp.get("/<int:offer_id>/sent")
def sent(offer_id: int):
    """ "Check your inbox": shown after every sign-up, whoever signed up."""
    return render_template("offers/sent.html", offer=_public_offer_or_404(offer_id))


def _problem(exc: LinkProblem, title: str):
    return render_template("offers/link.html", title=title, problem=exc.message), exc.status


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Confirm the address: a button on GET; on POST the download link, here and by mail.

    :raise 400/410: forged, expired or withdrawn link (as a page saying so).
    """
    title = "Confirm your address"
    try:
        subscriber = ops.check_confirm_link(token)
    except LinkProblem as exc:
        return _problem(exc, title)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("offers/link.html", title=title, offer=subscriber.offer, form=form)
    try:
        subscriber = ops.confirm(token)
    except LinkProblem as exc:
        return _problem(exc, title)
    response = render_template(
        "offers/link.html", title="Your guide", offer=subscriber.offer, download=ops.download_url(subscriber)
    )
    return response, 200, {"Cache-Control": "no-store"}


@bp.get("/download/<token>")
def download(token: str):
    """The guide, for a confirmed address with a link that has not expired.

    :raise 400/410: forged, expired or withdrawn link (as a page saying so).
    """
    try:
        found = ops.check_download(token)
    except LinkProblem as exc:
        return _problem(exc, "Download the guide")
    response = stored_file_response(found.file_key, "application/pdf", "private, no-store")
    response.headers["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return response


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients POST here with no session (RFC 8058); the signed token is the authority
def unsubscribe(token: str):
    """Stop all mail about a guide: a button on GET (link scanners only GET), done on POST.

    :raise 404: the link is not valid.
    """
    found = tokens.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    done = None
    if request.method == "POST":
        done = ops.unsubscribe(token)
        if done is None:
            abort(404)
    return render_template("offers/unsubscribe.html", form=UnsubscribeForm(), done=done)
