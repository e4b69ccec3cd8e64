"""Offers (free guides) and their subscribers

Revision ID: e1a2b3c4d504
Revises: e1a2b3c4d503
Create Date: 2026-11-30 20:45:00

"""

import sqlalchemy as sa
from alembic import op

import eventsite.database

revision = "e1a2b3c4d504"
down_revision = "e1a2b3c4d503"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("pitch", sa.Text(), nullable=False),
        sa.Column("button_text", sa.String(length=60), nullable=False),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("file_key", sa.String(length=300), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("panel_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", eventsite.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", eventsite.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_offer_event_id_event"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["panel_id"], ["panel.id"], name=op.f("fk_offer_panel_id_panel"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer")),
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_panel_id"), ["panel_id"], unique=False)

    op.create_table(
        "subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("created_at", eventsite.database.UTCDateTime(), nullable=False),
        sa.Column("mailed_at", eventsite.database.UTCDateTime(), nullable=True),
        sa.Column("confirmed_at", eventsite.database.UTCDateTime(), nullable=True),
        sa.Column("unsubscribed_at", eventsite.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offer.id"], name=op.f("fk_subscriber_offer_id_offer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriber")),
        sa.UniqueConstraint("offer_id", "email", name=op.f("uq_subscriber_offer_id")),
    )
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriber_confirmed_at"), ["confirmed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscriber_offer_id"), ["offer_id"], unique=False)


def downgrade():
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriber_offer_id"))
        batch_op.drop_index(batch_op.f("ix_subscriber_confirmed_at"))
    op.drop_table("subscriber")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_panel_id"))
        batch_op.drop_index(batch_op.f("ix_offer_event_id"))
    op.drop_table("offer")
