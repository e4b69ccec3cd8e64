"""The offer block beside a panel's video.

``templates/events/panel.html`` includes ``offers/_block.html``; the data it
shows is added here, in Python, when that template is about to render
(Flask's ``before_render_template`` signal), so the panel page's own code
needs no knowledge of offers and the template loads nothing itself. Every
route that renders the panel page (the page, a refused comment) gets it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, before_render_template

from . import tokens
from .forms import SIGNUP_PREFIX, SignupForm
from .models import Offer
from .operations import offer_for_panel

PANEL_TEMPLATE = "events/panel.html"


@dataclass
class OfferBlock:
    """What ``offers/_block.html`` shows: the offer and a fresh sign-up form."""

    offer: Offer
    form: SignupForm


def signup_form() -> SignupForm:
    """An empty sign-up form carrying the signed time it was shown."""
    form = SignupForm(prefix=SIGNUP_PREFIX, formdata=None)
    form.started.data = tokens.form_token()
    return form


def _add_offer_block(_app: Flask, template, context: dict, **_extra) -> None:
    if template.name != PANEL_TEMPLATE or "offer_block" in context:
        return
    panel = context.get("panel")
    offer = offer_for_panel(panel) if panel is not None else None
    context["offer_block"] = OfferBlock(offer, signup_form()) if offer is not None else None


def init_app(app: Flask) -> None:
    """Give the panel page its offer block."""
    before_render_template.connect(_add_offer_block, app)
