"""The two engines behind one interface: SQLite FTS5 and PostgreSQL full text.

Both read the same :class:`~.query.SearchQuery` text (quoted phrases joined
by spaces), take the same visibility condition (SQL over ``search_entry`` and
an outer-joined ``panel``), and return rows with the same columns, the words
that matched wrapped in :data:`~.documents.MARK_START`/``MARK_END`` for the
caller to escape and highlight: the title, and the whole body (snippets.py
cuts the snippet from the one field that matched).
"""

from __future__ import annotations

import abc

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..events.models import Panel
from .documents import MARK_END, MARK_START
from .query import SearchQuery
from .schema import TABLE

_COLUMNS = ("kind", "event_id", "panel_id", "panelist_id", "start", "speaker", "title", "body")
#: The index as SQL expressions see it (not a model: see schema.py).
entry = sa.table(
    TABLE,
    sa.column("kind", sa.String),
    sa.column("event_id", sa.Integer),
    sa.column("panel_id", sa.Integer),
    sa.column("panelist_id", sa.Integer),
    sa.column("start", sa.Float),
    sa.column("speaker", sa.String),
    sa.column("title", sa.String),
    sa.column("body", sa.String),
)
_RESULT = [entry.c[name] for name in _COLUMNS if name not in ("title", "body")]


class SearchEngine(abc.ABC):
    """What the index needs from a database."""

    dialect = ""

    def insert(self, session: so.Session, rows: list[dict]) -> None:
        if rows:
            session.execute(sa.insert(entry), rows)

    def delete(self, session: so.Session, condition) -> None:
        session.execute(sa.delete(entry).where(condition))

    def clear(self, session: so.Session) -> None:
        session.execute(sa.delete(entry))

    @abc.abstractmethod
    def _from(self, query: SearchQuery, visible):
        """The engine's matching rows of ``query``, joined to what ``visible`` allows."""

    def counts(self, session: so.Session, query: SearchQuery, visible) -> dict[str, int]:
        """Matches per kind."""
        stmt = self._from(query, visible).with_only_columns(entry.c.kind, sa.func.count()).group_by(entry.c.kind)
        return {kind: n for kind, n in session.execute(stmt)}

    @abc.abstractmethod
    def hits(self, session: so.Session, query: SearchQuery, visible, limit: int, offset: int = 0) -> list[sa.Row]:
        """The best matches, best first: the result columns plus ``title_marked`` and ``body_marked``."""


class SQLiteSearch(SearchEngine):
    """FTS5: ``MATCH`` on the virtual table, ``bm25()`` to rank, ``highlight()`` to show."""

    dialect = "sqlite"
    _fts = sa.literal_column(TABLE)
    #: Titles count ten times the body in the ranking.
    _rank = sa.func.bm25(_fts, 10.0, 1.0)

    def _from(self, query: SearchQuery, visible):
        return (
            sa.select(entry.c.kind)
            .select_from(entry)
            .outerjoin(Panel, Panel.id == entry.c.panel_id)
            .where(self._fts.op("MATCH")(query.text), visible)
        )

    def hits(self, session, query, visible, limit, offset=0):
        stmt = (
            self._from(query, visible)
            .with_only_columns(
                *_RESULT,
                sa.func.highlight(self._fts, 0, MARK_START, MARK_END).label("title_marked"),
                sa.func.highlight(self._fts, 1, MARK_START, MARK_END).label("body_marked"),
            )
            .order_by(self._rank, entry.c.panel_id, entry.c.start)
            .limit(limit)
            .offset(offset)
        )
        return list(session.execute(stmt))


class PostgresSearch(SearchEngine):
    """``tsvector`` under a GIN index: ``websearch_to_tsquery`` to read the query,
    ``ts_rank`` to rank, ``ts_headline`` to show (on the page's rows only: it re-parses the text)."""

    dialect = "postgresql"
    _document = sa.literal_column(f"{TABLE}.document")
    _id = sa.literal_column(f"{TABLE}.id")
    _highlight = f"StartSel={MARK_START}, StopSel={MARK_END}"

    @staticmethod
    def _tsquery(query: SearchQuery):
        return sa.func.websearch_to_tsquery(sa.literal_column("'english'::regconfig"), query.text)

    def _from(self, query, visible):
        return (
            sa.select(entry.c.kind)
            .select_from(entry)
            .outerjoin(Panel, Panel.id == entry.c.panel_id)
            .where(self._document.op("@@")(self._tsquery(query)), visible)
        )

    def hits(self, session, query, visible, limit, offset=0):
        rank = sa.func.ts_rank(self._document, self._tsquery(query))
        page = (
            self._from(query, visible)
            .with_only_columns(self._id.label("id"), rank.label("rank"))
            .order_by(rank.desc(), entry.c.panel_id, entry.c.start)
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        english = sa.literal_column("'english'::regconfig")
        stmt = (
            sa.select(
                *_RESULT,
                sa.func.ts_headline(
                    english, entry.c.title, self._tsquery(query), self._highlight + ", HighlightAll=true"
                ).label("title_marked"),
                sa.func.ts_headline(
                    english,
                    entry.c.body,
                    self._tsquery(query),
                    self._highlight + ", HighlightAll=true",
                ).label("body_marked"),
            )
            .select_from(entry)
            .join(page, page.c.id == self._id)
            .order_by(page.c.rank.desc(), entry.c.panel_id, entry.c.start)
        )
        return list(session.execute(stmt))


ENGINES = {engine.dialect: engine for engine in (SQLiteSearch(), PostgresSearch())}


def engine_for(session: so.Session) -> SearchEngine | None:
    """The engine for the session's database; None where neither is available."""
    return ENGINES.get(session.get_bind().dialect.name)
