"""The migration that adds comment.thread_id fills it in for comments already stored."""

from datetime import UTC, datetime

import flask_migrate
import sqlalchemy as sa

from eventsite.extensions import db

BEFORE, THIS = "5431f4f53ea8", "b7d2c41e9a05"


def test_existing_replies_get_their_thread(app):
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade(revision=BEFORE)
        # Rows written as that revision's tables are, not through today's models.
        with db.engine.begin() as conn:
            event_id = _insert(conn, "event", slug="e", name="E")
            panel_id = _insert(conn, "panel", event_id=event_id, slug="p", title="P", status="published")
        comment = sa.table(
            "comment",
            *(sa.column(name) for name in ("id", "panel_id", "parent_id", "depth", "author_name", "author_email")),
            *(sa.column(name) for name in ("author_website", "badge", "body_source", "body_html", "status")),
            *(sa.column(name) for name in ("ip_hash", "network_hash", "notify_replies", "deleted", "created_at")),
        )
        common = dict(
            panel_id=panel_id, author_name="A", author_email="a@example.com", author_website="", badge="",
            body_source="x", body_html="x", status="approved", ip_hash="", network_hash="",
            notify_replies=False, deleted=False, created_at=datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
        )  # fmt: skip
        # Two threads; ids deliberately out of tree order (a reply's id below its parent's).
        tree = [(10, None, 1), (11, 10, 2), (5, 11, 3), (12, 5, 4), (20, None, 1), (21, 20, 2)]
        with db.engine.begin() as conn:
            conn.execute(comment.insert(), [dict(common, id=i, parent_id=p, depth=d) for i, p, d in tree])
        flask_migrate.upgrade(revision=THIS)
        with db.engine.begin() as conn:
            found = dict(conn.execute(sa.text("SELECT id, thread_id FROM comment")).all())
            for table in ("comment", "panel", "event"):
                conn.execute(sa.text(f"DELETE FROM {table}"))
        assert found == {10: None, 11: 10, 5: 10, 12: 10, 20: None, 21: 20}
        flask_migrate.upgrade()


def _insert(conn, table_name: str, /, **values) -> int:
    """Insert a row, filling the other required columns with plain values of their type."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        python_type = column.type.python_type if not isinstance(column.type, sa.DateTime) else datetime
        values[column.name] = {
            bool: False,
            int: 0,
            float: 0.0,
            datetime: datetime(2026, 1, 1),
        }.get(python_type, "")
    return conn.execute(table.insert().values(**values)).inserted_primary_key[0]
