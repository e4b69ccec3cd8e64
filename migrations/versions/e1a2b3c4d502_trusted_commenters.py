"""Confirmed commenter addresses and verified panelists

Revision ID: e1a2b3c4d502
Revises: e1a2b3c4d501
Create Date: 2026-11-30 20:45:00

"""

import sqlalchemy as sa
from alembic import op

import eventsite.database

revision = "e1a2b3c4d502"
down_revision = "e1a2b3c4d501"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "commenter_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", eventsite.database.UTCDateTime(), nullable=True),
        sa.Column("mailed_at", eventsite.database.UTCDateTime(), nullable=True),
        sa.Column("created_at", eventsite.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commenter_address")),
        sa.UniqueConstraint("email_hash", name=op.f("uq_commenter_address_email_hash")),
    )
    op.create_table(
        "panelist_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panelist_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("link_nonce", sa.String(length=64), nullable=True),
        sa.Column("link_sent_at", eventsite.database.UTCDateTime(), nullable=True),
        sa.Column("granted_at", eventsite.database.UTCDateTime(), nullable=True),
        sa.Column("notify_new_comments", sa.Boolean(), nullable=False),
        sa.Column("created_at", eventsite.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["panelist_id"],
            ["panelist.id"],
            name=op.f("fk_panelist_access_panelist_id_panelist"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panelist_access")),
        sa.UniqueConstraint("panelist_id", name=op.f("uq_panelist_access_panelist_id")),
    )
    # Plain nullable columns (and one with a server default) and an index:
    # SQLite adds them without rebuilding `comment`. Existing comments start
    # unconfirmed: nobody proved they own those addresses.
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("panelist_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confirmed", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("announced_at", eventsite.database.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_comment_panelist_id"), ["panelist_id"], unique=False)


def downgrade():
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_panelist_id"))
        batch_op.drop_column("announced_at")
        batch_op.drop_column("confirmed")
        batch_op.drop_column("panelist_id")
    op.drop_table("panelist_access")
    op.drop_table("commenter_address")
