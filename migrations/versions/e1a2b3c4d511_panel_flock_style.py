"""How a panel's feathered friends are filmed: line-up or directed

Revision ID: e1a2b3c4d511
Revises: e1a2b3c4d510
Create Date: 2026-12-06 23:45:00

"lineup" keeps every existing panel's flock as it was drawn; "directed"
chooses shots from who speaks (eventsite.flock.camera).
"""

import sqlalchemy as sa
from alembic import op

revision = "e1a2b3c4d511"
down_revision = "e1a2b3c4d510"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flock_style", sa.String(length=20), server_default="lineup", nullable=False))


def downgrade():
    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.drop_column("flock_style")
