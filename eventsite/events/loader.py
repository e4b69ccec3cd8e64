"""The one way to load a panel from its URL, and to decide who may see it.

Every route that shows a panel (its page, the embed, oEmbed, the comments
and their feed, media and captions) goes through here, so an old slug
redirects everywhere and a draft is hidden everywhere. Before this there were
six copies of the rule, and renamed panels' embeds answered 404.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, redirect, request, url_for

from ..extensions import db
from ..recordings.access import viewer_manages_event, viewer_may_see_panelist
from . import slugs
from .models import Event, Panel, Panelist, Seat


def may_see(panel: Panel) -> bool:
    """Whether this request's visitor may see ``panel``: anyone once it is
    public, organisers of its event (signed in, or with an API token) always."""
    return panel.is_public() or viewer_manages_event(panel.event_id)


def event_is_public(event_id: int) -> bool:
    """Whether the event has a panel anyone with the link may see (unlisted ones count:
    their page links to the event)."""
    return bool(db.session.scalar(sa.select(sa.exists().where(Panel.event_id == event_id, Panel.is_public()))))


def panelist_is_public(panelist_id: int) -> bool:
    """Whether the person sits on a panel anyone with the link may see."""
    seated = sa.exists().where(Seat.panelist_id == panelist_id, Seat.panel_id == Panel.id, Panel.is_public())
    return bool(db.session.scalar(sa.select(seated)))


def may_see_event(event: Event) -> bool:
    """Events with no public panel are the organisers' alone (a draft programme
    must not leak through its event page)."""
    return event_is_public(event.id) or viewer_manages_event(event.id)


def may_see_panelist(panelist: Panelist) -> bool:
    """People appear in public (profile, portrait, bird) only once they sit on a public panel."""
    return panelist_is_public(panelist.id) or viewer_may_see_panelist(panelist.id)


def resolve_panel(event_slug: str, slug: str) -> Panel | None:
    """The panel these URL parts name, following old event and panel slugs,
    whoever may see it (callers check :func:`may_see`)."""
    event, _ = slugs.find(Event, event_slug)
    if event is None:
        return None
    seats = (so.joinedload(Panel.event), so.selectinload(Panel.seats).joinedload(Seat.panelist))
    return slugs.find(Panel, slug, event_id=event.id, options=seats)[0]


def load_panel(event_slug: str, slug: str, *, endpoint: str | None = None) -> Panel:
    """The panel at ``/…/<event_slug>/<slug>/`` for this visitor.

    :param endpoint: the route being answered; when the URL uses an old slug,
        the visitor is sent to the same route at the panel's current slugs
        (query string kept). ``None`` (form posts, oEmbed's ``url=``) follows
        old slugs without a redirect.
    :raise 301: an old slug, with ``endpoint``.
    :raise 404: no such panel, or one this visitor may not see. Access is
        checked before any redirect, so an old link never reveals a draft's
        new title.
    """
    panel = resolve_panel(event_slug, slug)
    if panel is None or not may_see(panel):
        abort(404)
    moved = (panel.event.slug, panel.slug) != (event_slug, slug)
    if moved and endpoint is not None:
        # The query string as it came, not as url_for() arguments: keys such as "slug" or
        # "_external" would collide with url_for's own.
        query = request.query_string.decode("latin-1")
        target = url_for(endpoint, event_slug=panel.event.slug, slug=panel.slug) + (f"?{query}" if query else "")
        abort(redirect(target, 301))
    return panel
