"""Offers (free guides) and their subscribers

Revision ID: e1a2b3c4d504
Revises: e1a2b3c4d503
Create Date: 2026-11-30 20:45:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'e1a2b3c4d504'
down_revision = 'e1a2b3c4d503'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
