"""Keeping the index in step with the content.

:mod:`.listeners` calls these when an operation announces a change, after
its commit (publishing, editing, seating, captions, a new recording becoming
ready; :func:`forget` before a delete). Visibility is
*not* stored here: drafts are indexed too, and every query joins the panel
and applies :meth:`Panel.is_listed`, so publishing, unpublishing and a
scheduled panel's moment all take effect without touching the index.
An index that failed to update must not cost the organiser their edit, so
failures are logged, not raised; ``flask search-reindex`` rebuilds it all.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..events.models import Event, Panel, Panelist, Seat
from ..extensions import db
from . import documents
from .engines import SearchEngine, engine_for, entry

log = logging.getLogger(__name__)


def _write(work) -> None:
    engine = engine_for(db.session)
    if engine is None:
        return
    try:
        work(engine)
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        log.exception("the search index could not be updated; run `flask --app wsgi search-reindex`")


def _replace_panel(engine: SearchEngine, panel: Panel, without: Seat | None = None) -> None:
    engine.delete(db.session, entry.c.panel_id == panel.id)
    engine.insert(db.session, [e.row() for e in documents.panel_entries(panel, without=without)])


def _replace_person(engine: SearchEngine, person: Panelist) -> None:
    engine.delete(db.session, sa.and_(entry.c.kind == "person", entry.c.panelist_id == person.id))
    engine.insert(db.session, [documents.person_entry(person).row()])


def reindex_panel(panel: Panel) -> None:
    """Index ``panel`` afresh: title, abstract, people and transcript."""
    _write(lambda engine: _replace_panel(engine, panel))


def reindex_event(event: Event) -> None:
    """Index ``event``'s own entry afresh (its name, place, description)."""

    def work(engine: SearchEngine) -> None:
        engine.delete(db.session, sa.and_(entry.c.kind == "event", entry.c.event_id == event.id))
        engine.insert(db.session, [documents.event_entry(event).row()])

    _write(work)


def reindex_panelist(person: Panelist) -> None:
    """Index a panelist afresh, and the panels they sit on (their name is in them)."""

    def work(engine: SearchEngine) -> None:
        _replace_person(engine, person)
        for seat in person.seats:
            _replace_panel(engine, seat.panel)

    _write(work)


def forget(row: Event | Panel | Panelist | Seat) -> None:
    """Take out what deleting ``row`` removes; call it *before* the delete,
    in the same transaction (nothing is committed here)."""
    engine = engine_for(db.session)
    if engine is None:
        return
    if isinstance(row, Event):
        engine.delete(db.session, entry.c.event_id == row.id)
    elif isinstance(row, Panel):
        engine.delete(db.session, entry.c.panel_id == row.id)
    elif isinstance(row, Panelist):
        engine.delete(db.session, sa.and_(entry.c.kind == "person", entry.c.panelist_id == row.id))
    elif isinstance(row, Seat):
        _replace_panel(engine, row.panel, without=row)


def reindex_all() -> dict[str, int]:
    """Rebuild the whole index; returns how many entries of each kind and the seconds taken."""
    engine = engine_for(db.session)
    if engine is None:
        return {}
    started = time.perf_counter()
    counts = {"event": 0, "panel": 0, "person": 0, "said": 0}
    engine.clear(db.session)
    for event in db.session.scalars(sa.select(Event)):
        engine.insert(db.session, [documents.event_entry(event).row()])
        counts["event"] += 1
    for person in db.session.scalars(sa.select(Panelist)):
        engine.insert(db.session, [documents.person_entry(person).row()])
        counts["person"] += 1
    panels = sa.select(Panel).options(so.selectinload(Panel.seats).joinedload(Seat.panelist))
    for panel in db.session.scalars(panels):
        rows = [e.row() for e in documents.panel_entries(panel)]
        engine.insert(db.session, rows)
        for row in rows:
            counts[row["kind"]] += 1
    db.session.commit()
    counts["seconds"] = round(time.perf_counter() - started, 3)
    return counts
