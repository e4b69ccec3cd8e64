"""Security review findings

Revision ID: e1a2b3c4d505
Revises: e1a2b3c4d504
Create Date: 2026-11-30 20:45:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'e1a2b3c4d505'
down_revision = 'e1a2b3c4d504'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
