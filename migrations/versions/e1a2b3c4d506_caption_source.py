"""Transcripts: where captions came from, the recording's language, a job's input

Revision ID: e1a2b3c4d506
Revises: e1a2b3c4d505
Create Date: 2026-11-30 21:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e1a2b3c4d506"
down_revision = "e1a2b3c4d505"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("caption", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source",
                sa.Enum(
                    "uploaded", "automatic", "aligned", "edited", name="captionsource", native_enum=False, length=20
                ),
                server_default="uploaded",
                nullable=False,
            )
        )

    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=20), server_default="en", nullable=False))

    with op.batch_alter_table("transcode_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("input_key", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("transcode_job", schema=None) as batch_op:
        batch_op.drop_column("input_key")

    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.drop_column("language")

    with op.batch_alter_table("caption", schema=None) as batch_op:
        batch_op.drop_column("source")
