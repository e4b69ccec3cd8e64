"""The migration builds an index that works, on either database, and takes it away again."""

from __future__ import annotations

import flask_migrate
import sqlalchemy as sa

from eventsite import search
from eventsite.extensions import db
from eventsite.search.results import run_search

THIS, BEFORE = "e1a2b3c4d501", "de5b472729a4"


def test_a_migrated_database_searches(app, make_panel):
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade()
        assert "search_entry" in sa.inspect(db.engine).get_table_names()
        panel = make_panel(title="Pelicans at dusk")
        search.reindex_panel(panel)
        with app.test_request_context("/search"):
            assert [g.total for g in run_search("pelican").groups if g.kind == "panel"] == [1]
        db.session.remove()
        flask_migrate.downgrade(revision=BEFORE)
        names = set(sa.inspect(db.engine).get_table_names())
        assert not {n for n in names if n.startswith("search_entry")}, names
        flask_migrate.upgrade()
