"""Search index (FTS5 on SQLite, tsvector on PostgreSQL)

Revision ID: e1a2b3c4d501
Revises: de5b472729a4
Create Date: 2026-11-30 20:45:00

The index is not a model (eventsite/search/schema.py says why); this is a
frozen copy of that module's DDL, so later changes there need a migration of
their own. Run ``flask --app wsgi search-reindex`` to fill it for content
that existed before this migration.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = "e1a2b3c4d501"
down_revision = "de5b472729a4"
branch_labels = None
depends_on = None

SQLITE = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_entry USING fts5(
        title, body,
        kind UNINDEXED, event_id UNINDEXED, panel_id UNINDEXED, panelist_id UNINDEXED,
        start UNINDEXED, speaker UNINDEXED,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )"""
]

POSTGRESQL = [
    """CREATE TABLE IF NOT EXISTS search_entry (
        id bigserial PRIMARY KEY,
        kind varchar(10) NOT NULL,
        event_id integer,
        panel_id integer,
        panelist_id integer,
        start double precision,
        speaker text NOT NULL DEFAULT '',
        title text NOT NULL DEFAULT '',
        body text NOT NULL DEFAULT '',
        document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, title), 'A')
            || setweight(to_tsvector('english'::regconfig, body), 'B')
        ) STORED
    )""",
    "CREATE INDEX IF NOT EXISTS ix_search_entry_document ON search_entry USING gin (document)",
    "CREATE INDEX IF NOT EXISTS ix_search_entry_panel_id ON search_entry (panel_id)",
    "CREATE INDEX IF NOT EXISTS ix_search_entry_event_id ON search_entry (event_id)",
    "CREATE INDEX IF NOT EXISTS ix_search_entry_panelist_id ON search_entry (panelist_id)",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(dialect, []):
        op.execute(statement)


def downgrade():
    # On SQLite, dropping the FTS5 table drops its shadow tables with it.
    if op.get_bind().dialect.name in ("sqlite", "postgresql"):
        op.execute("DROP TABLE IF EXISTS search_entry")
