"""Captions remember whether their voices came from the speech timeline

Revision ID: e1a2b3c4d514
Revises: e1a2b3c4d513
Create Date: 2026-12-07 02:00:00

Automatic captions always took their voices from the timeline; a transcript
aligned before this revision is not known to have, so it keeps its names.
"""

import sqlalchemy as sa
from alembic import op

revision = "e1a2b3c4d514"
down_revision = "e1a2b3c4d513"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("caption", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("voices_from_timeline", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute("UPDATE caption SET voices_from_timeline = TRUE WHERE source = 'automatic'")


def downgrade():
    with op.batch_alter_table("caption", schema=None) as batch_op:
        batch_op.drop_column("voices_from_timeline")
