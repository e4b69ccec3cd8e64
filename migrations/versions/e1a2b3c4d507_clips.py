"""Quote clips, and the per-panel switch for public clip-making

Revision ID: e1a2b3c4d507
Revises: e1a2b3c4d506
Create Date: 2026-11-30 20:45:00

"""

import sqlalchemy as sa
from alembic import op

import eventsite.database

revision = "e1a2b3c4d507"
down_revision = "e1a2b3c4d506"
branch_labels = None
depends_on = None

VIEW = sa.Enum("video", "cartoon", "flock", "audio", name="view", native_enum=False, length=20)
SHAPE = sa.Enum("square", "vertical", "wide", name="clipshape", native_enum=False, length=20)
STATUS = sa.Enum("queued", "running", "ready", "failed", name="clipstatus", native_enum=False, length=20)


def upgrade():
    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clips_enabled", sa.Boolean(), server_default="1", nullable=False))

    op.create_table(
        "clip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=False),
        sa.Column("end_ms", sa.Integer(), nullable=False),
        sa.Column("view", VIEW, nullable=False),
        sa.Column("shape", SHAPE, nullable=False),
        sa.Column("quote", sa.JSON(), nullable=False),
        sa.Column("card_url", sa.String(length=500), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("heartbeat_at", eventsite.database.UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("stderr_tail", sa.Text(), nullable=True),
        sa.Column("video_key", sa.String(length=300), nullable=True),
        sa.Column("poster_key", sa.String(length=300), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("duration_seconds", sa.Double(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_at", eventsite.database.UTCDateTime(), nullable=False),
        sa.Column("started_at", eventsite.database.UTCDateTime(), nullable=True),
        sa.Column("finished_at", eventsite.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recording.id"], name=op.f("fk_clip_recording_id_recording"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clip")),
        sa.UniqueConstraint("recording_id", "start_ms", "end_ms", "view", "shape", name=op.f("uq_clip_recording_id")),
    )
    with op.batch_alter_table("clip", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clip_recording_id"), ["recording_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_clip_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("clip", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clip_status"))
        batch_op.drop_index(batch_op.f("ix_clip_recording_id"))
    op.drop_table("clip")

    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.drop_column("clips_enabled")
