"""A long recording's ladder in chunks: a chunk job's parent transcode and its frames

Revision ID: e1a2b3c4d513
Revises: e1a2b3c4d512
Create Date: 2026-12-07 02:40:00

Both columns are empty for every job but a chunk.
"""

import sqlalchemy as sa
from alembic import op

revision = "e1a2b3c4d513"
down_revision = "e1a2b3c4d512"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("transcode_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("chunk", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_transcode_job_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_transcode_job_parent_id_transcode_job"), "transcode_job", ["parent_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("transcode_job", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_transcode_job_parent_id_transcode_job"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_transcode_job_parent_id"))
        batch_op.drop_column("chunk")
        batch_op.drop_column("parent_id")
