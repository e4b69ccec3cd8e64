"""The search page: ``/search?q=…``."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..events.cards import panel_cards
from ..recordings.access import viewer
from .results import run_search

bp = Blueprint("search", __name__)


@bp.route("/search")
def search():
    """Events, panels, people and what was said, for ``q``.

    ``kind`` shows one group, paged by ``page``; ``drafts=1`` lets organisers
    who manage every event include drafts, unlisted and scheduled panels
    (ignored for everyone else: an organiser limited to some events would see
    other events' drafts in the results).
    """
    organiser = viewer()
    sees_drafts = organiser is not None and organiser.manages_every_event
    include_unlisted = request.args.get("drafts") == "1" and sees_drafts
    results = run_search(
        request.args.get("q", ""),
        kind=request.args.get("kind"),
        page=request.args.get("page", 1, type=int),
        include_unlisted=include_unlisted,
    )
    # Posters (or the birds) beside panel hits and quotes, as the panel cards show them.
    panels = {hit.panel.id: hit.panel for group in results.groups for hit in group.hits if hit.panel is not None}
    cards = {card.panel.id: card for card in panel_cards(list(panels.values()))}
    return render_template("search/results.html", results=results, organiser=sees_drafts, cards=cards)
