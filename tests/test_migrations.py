"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import flask_migrate
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from eventsite.extensions import db
from eventsite.search.schema import include_name


def test_migrations_upgrade_to_the_models_and_back(app):
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            # The search index is no model (see eventsite/search/schema.py); env.py skips it too.
            context = MigrationContext.configure(conn, opts={"include_name": include_name})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ; run flask db migrate: {diff}"
        flask_migrate.downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
