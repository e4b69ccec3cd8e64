"""Public endpoints of the free guide: sign up, confirm, download, unsubscribe.

Every mailed link first shows a page with one button and acts only on POST
(mail scanners open links; they must not confirm an address on anyone's
behalf). The download is the exception: it is only ever mailed to, or shown
to, an address that already confirmed.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for

from ..extensions import csrf, db, limiter
from ..recordings.serving import stored_file_response
from ..signed import LinkProblem, link_problem_page
from . import operations as ops
from . import tokens
from .block import signup_form
from .forms import SIGNUP_PREFIX, ConfirmForm, SignupForm, UnsubscribeForm
from .models import Offer

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
        if _wants_json():
            errors = {name.removeprefix(f"{SIGNUP_PREFIX}-"): list(e) for name, e in form.errors.items()}
            fresh = signup_form().started.data  # posting again after a fix counts from now
            return jsonify(message="Please check the form.", errors=errors, started=fresh), 400
        return render_template("offers/offer.html", offer=found, form=form), 400
    ops.sign_up(
        found,
        ops.SignUp(
            email=form.email.data, form_age=tokens.form_age(form.started.data), honeypot=form.company.data or ""
        ),
    )
    if _wants_json():
        return jsonify(message=SENT.format(title=found.title))
    return redirect(url_for(".sent", offer_id=found.id), 303)


#: The answer to every sign-up, whoever signed up (offers/sent.html says it at more length).
SENT = "Check your inbox: we have sent a link to the address you gave. Follow it to confirm, and “{title}” is yours."

#: A refused try, said to a person who may be on a venue's shared Wi-Fi, where many count as one.
SLOW_DOWN = (
    "Too many attempts to sign up from here in a short time. On shared Wi-Fi (at a conference, say) "
    "everyone counts as one, so others may have used up the tries: please try again in a few minutes, "
    "or from your phone's mobile data."
)


def _wants_json() -> bool:
    """The guide box on the panel page posts with fetch and shows the answer in place."""
    return request.accept_mimetypes.best == "application/json"


@bp.errorhandler(429)
def too_many_signups(_exc):
    """A rate-limited sign-up: the reason and what to do, in the box (JSON) or on the offer's page."""
    if _wants_json():
        return jsonify(message=SLOW_DOWN), 429
    found = db.session.get(Offer, request.view_args.get("offer_id", 0)) if request.view_args else None
    if not ops.offer_is_public(found):
        return render_template("errors/error.html", code=429, title="Slow down", message=SLOW_DOWN), 429
    return render_template("offers/offer.html", offer=found, form=signup_form(), refused=SLOW_DOWN), 429


@bp.get("/<int:offer_id>/sent")
def sent(offer_id: int):
    """ "Check your inbox": shown after every sign-up, whoever signed up."""
    return render_template("offers/sent.html", offer=_public_offer_or_404(offer_id))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Confirm the address: a button on GET; on POST the download link, here and by mail.

    :raise 400/410: forged, expired or withdrawn link (as a page saying so).
    """
    title = "Confirm your address"
    try:
        subscriber = ops.check_confirm_link(token)
    except LinkProblem as exc:
        return link_problem_page(exc, title)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("offers/link.html", title=title, offer=subscriber.offer, form=form)
    try:
        subscriber = ops.confirm(token)
    except LinkProblem as exc:
        return link_problem_page(exc, title)
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
        return link_problem_page(exc, "Download the guide")
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
