"""Panels may keep automatic (unchecked) captions in the studio

Revision ID: e1a2b3c4d512
Revises: e1a2b3c4d511
Create Date: 2026-12-06 23:50:00

True keeps today's behaviour: drafts are public, labelled "automatic".
"""

import sqlalchemy as sa
from alembic import op

revision = "e1a2b3c4d512"
down_revision = "e1a2b3c4d511"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drafts_public", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.drop_column("drafts_public")
