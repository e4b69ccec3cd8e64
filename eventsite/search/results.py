"""A search, run: what each group found, ready for the page.

Results come in four groups (panels, people, events, what was said). The
first page shows the best few of each; a group's own page (``kind=``) shows
all of it, paged. Drafts, unlisted panels and panels scheduled for later
never match for the public: every query applies :meth:`Panel.is_listed`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from markupsafe import Markup, escape

from ..events.models import Event, Panel, Panelist, Seat
from ..events.operations import latest_panels
from ..extensions import db
from ..recordings.models import Caption, CaptionSource, Recording
from ..times import clock, url_time
from ..urls import absolute_for, panel_url
from .documents import MARK_END, MARK_START
from .engines import engine_for, entry
from .query import SearchQuery, parse_query
from .snippets import snippet

#: Groups in the order the page shows them, with their headings.
GROUPS = {"panel": "Panels", "person": "People", "event": "Events", "said": "What was said"}
#: How many hits of each group the first page shows.
PREVIEW = {"panel": 5, "person": 5, "event": 5, "said": 10}
#: Hits per page of one group.
PER_PAGE = 20


@dataclass
class Hit:
    kind: str
    url: str
    #: Highlighted, escaped HTML.
    title: Markup
    snippet: Markup
    event: Event | None = None
    panel: Panel | None = None
    person: Panelist | None = None
    #: For "said": who said it (the panelist when the voice names one) and when.
    speaker_name: str = ""
    speaker: Panelist | None = None
    start: float | None = None
    #: For "said": the words come from automatic captions nobody has checked yet.
    automatic: bool = False

    @property
    def clock(self) -> str:
        return clock(self.start)


@dataclass
class Group:
    kind: str
    label: str
    total: int
    hits: list[Hit] = field(default_factory=list)


@dataclass
class SearchResults:
    typed: str
    query: SearchQuery
    groups: list[Group] = field(default_factory=list)
    #: The one group asked for (``kind=``), else None (the overview).
    kind: str | None = None
    page: int = 1
    pages: int = 1
    #: When nothing matched: (words, matches) of the words that do match alone.
    suggestions: list[tuple[str, int]] = field(default_factory=list)
    latest: list[Panel] = field(default_factory=list)
    include_unlisted: bool = False

    @property
    def kind_label(self) -> str:
        """The group asked for, as words ("what was said")."""
        return GROUPS[self.kind].lower() if self.kind else ""

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


def marked(text: str | None) -> Markup:
    """``text`` escaped, with the engine's match markers turned into ``<mark>``."""
    html = str(escape(text or ""))
    if html.count(MARK_START) != html.count(MARK_END):
        html = html.replace(MARK_START, "").replace(MARK_END, "")
    return Markup(html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704  (escaped above)


def visible(include_unlisted: bool = False):
    """Which index entries this visitor may find (SQL over ``search_entry`` and the joined ``panel``).

    Events and people are found through a listed panel of theirs (an event
    of drafts only, or a panelist seated only on a draft, stays unannounced:
    their pages are 404 too); panels and what was said in them when the
    panel is listed. Organisers may include all.
    """
    if include_unlisted:
        return sa.or_(entry.c.kind.in_(("event", "person")), Panel.id.is_not(None))
    other = so.aliased(Panel)
    on_a_listed_panel = sa.exists().where(
        Seat.panelist_id == entry.c.panelist_id, Seat.panel_id == other.id, other.is_listed()
    )
    with_a_listed_panel = sa.exists().where(other.event_id == entry.c.event_id, other.is_listed())
    return sa.or_(
        sa.and_(entry.c.kind == "event", with_a_listed_panel),
        sa.and_(entry.c.kind == "person", on_a_listed_panel),
        sa.and_(entry.c.kind.in_(("panel", "said")), Panel.is_listed()),
    )


def _by_id(model, ids: set[int], *options) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)).options(*options))}


def _hits(rows: list[sa.Row]) -> list[Hit]:
    """Rows made into hits with their objects (loaded in one query per kind);
    an entry whose object is gone is skipped."""
    events = _by_id(Event, {r.event_id for r in rows if r.kind == "event"})
    panels = _by_id(Panel, {r.panel_id for r in rows if r.panel_id}, so.joinedload(Panel.event))
    people = _by_id(Panelist, {r.panelist_id for r in rows if r.panelist_id})
    drafted = _drafted_panels({r.panel_id for r in rows if r.kind == "said" and r.panel_id})
    hits = []
    for row in rows:
        if row.kind == "event" and row.event_id in events:
            event = events[row.event_id]
            hits.append(
                Hit(
                    "event",
                    absolute_for("events.event", slug=event.slug),
                    marked(row.title_marked),
                    marked(snippet(row.body_marked)),
                    event=event,
                )
            )
        elif row.kind == "person" and row.panelist_id in people:
            person = people[row.panelist_id]
            hits.append(
                Hit(
                    "person",
                    absolute_for("events.panelist", slug=person.slug),
                    marked(row.title_marked),
                    marked(snippet(row.body_marked)),
                    person=person,
                )
            )
        elif row.kind == "panel" and row.panel_id in panels:
            panel = panels[row.panel_id]
            hits.append(
                Hit(
                    "panel",
                    panel_url(panel),
                    marked(row.title_marked),
                    marked(snippet(row.body_marked)),
                    panel.event,
                    panel,
                )
            )
        elif row.kind == "said" and row.panel_id in panels:
            panel = panels[row.panel_id]
            speaker = people.get(row.panelist_id)
            start = row.start or 0.0
            hits.append(
                Hit(
                    "said",
                    panel_url(panel, t=url_time(start)),
                    escape(panel.title),
                    marked(snippet(row.body_marked)),
                    panel.event,
                    panel,
                    speaker_name=speaker.name if speaker else row.speaker,
                    speaker=speaker,
                    start=start,
                    automatic=panel.id in drafted,
                )
            )
    return hits


def _drafted_panels(panel_ids: set[int]) -> set[int]:
    """Of ``panel_ids``, the panels whose transcript is automatic captions not yet checked."""
    if not panel_ids:
        return set()
    query = (
        sa.select(Recording.panel_id)
        .join(Caption, Caption.recording_id == Recording.id)
        .where(Recording.panel_id.in_(panel_ids), Caption.source == CaptionSource.AUTOMATIC)
    )
    return set(db.session.scalars(query))


def _suggestions(engine, query: SearchQuery, condition) -> list[tuple[str, int]]:
    """The words of a query that found nothing together, with what each finds alone."""
    words = list(query.phrases) if len(query.phrases) > 1 else [(w,) for w in query.phrases[0]]
    if len(words) < 2:
        return []
    found = []
    for phrase in words:
        total = sum(engine.counts(db.session, query.only(phrase), condition).values())
        if total:
            found.append((" ".join(phrase), total))
    return found


def run_search(typed: str | None, *, kind: str | None = None, page: int = 1, include_unlisted: bool = False):
    """Search for ``typed``: every group's best hits, or one group's ``page``.

    :param include_unlisted: organisers only: drafts, unlisted and scheduled panels too.
    """
    query = parse_query(typed)
    results = SearchResults(
        typed=(typed or "").strip(),
        query=query,
        kind=kind if kind in GROUPS else None,
        include_unlisted=include_unlisted,
    )
    engine = engine_for(db.session)
    if query and engine is not None:
        condition = visible(include_unlisted)
        counts = engine.counts(db.session, query, condition)
        wanted = [results.kind] if results.kind else list(GROUPS)
        for name in wanted:
            group = Group(name, GROUPS[name], counts.get(name, 0))
            results.groups.append(group)
            if not group.total:
                continue
            if results.kind:
                results.pages = max(1, math.ceil(group.total / PER_PAGE))
                results.page = min(max(page, 1), results.pages)
                limit, offset = PER_PAGE, (results.page - 1) * PER_PAGE
            else:
                limit, offset = PREVIEW[name], 0
            rows = engine.hits(db.session, query, sa.and_(condition, entry.c.kind == name), limit, offset)
            group.hits = _hits(rows)
        if not results.total:
            results.suggestions = _suggestions(engine, query, condition)
    if not results.total:
        results.latest = latest_panels(limit=5)
    return results
