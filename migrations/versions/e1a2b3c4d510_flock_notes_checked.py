"""Flock notes an organiser marked as checked

Revision ID: e1a2b3c4d510
Revises: e1a2b3c4d509
Create Date: 2026-12-06 23:30:00

The studio's "Feathered friends: please check" notes of a recording can be
marked as checked; their texts are kept, so a redraw that finds the same
thing again does not ask again, and a new finding still does.
"""

import sqlalchemy as sa
from alembic import op

revision = "e1a2b3c4d510"
down_revision = "e1a2b3c4d509"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flock_notes_checked", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.drop_column("flock_notes_checked")
