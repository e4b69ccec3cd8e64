"""Search index (FTS5 on SQLite, tsvector on PostgreSQL)

Revision ID: e1a2b3c4d501
Revises: de5b472729a4
Create Date: 2026-11-30 20:45:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'e1a2b3c4d501'
down_revision = 'de5b472729a4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
