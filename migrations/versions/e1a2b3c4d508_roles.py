"""Roles are real: deactivation, event-limited organisers, named expiring API tokens, mailed password links

Revision ID: e1a2b3c4d508
Revises: e1a2b3c4d507
Create Date: 2026-12-01 10:00:00

Existing organisers keep every event (``all_events`` true) and their sessions.
Existing API tokens get a name saying where they came from and expire 90 days
after this upgrade, like a new token by default, instead of never.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import eventsite.database

revision = "e1a2b3c4d508"
down_revision = "e1a2b3c4d507"
branch_labels = None
depends_on = None

PURPOSE = sa.Enum("invite", "reset", name="linkpurpose", native_enum=False, length=20)


def upgrade():
    # Plain "1" defaults (not sa.true()): SQLite then adds the columns in place. Copying the table
    # instead would drop it, which its foreign keys (api_token, comment) refuse once it has rows.
    with op.batch_alter_table("organiser", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("all_events", sa.Boolean(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("last_login_at", eventsite.database.UTCDateTime(), nullable=True))

    # Added nullable, filled, then made NOT NULL: SQLite's batch mode copies the table for the last step.
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("expires_at", eventsite.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", eventsite.database.UTCDateTime(), nullable=True))
    expires = (datetime.now(UTC) + timedelta(days=90)).replace(tzinfo=None)
    api_token = sa.table("api_token", sa.column("name", sa.String), sa.column("expires_at", sa.DateTime))
    op.execute(api_token.update().values(name="Made before tokens had names", expires_at=expires))
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=eventsite.database.UTCDateTime(), nullable=False)

    op.create_table(
        "organiser_event",
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_organiser_event_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organiser.id"],
            name=op.f("fk_organiser_event_organiser_id_organiser"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organiser_id", "event_id", name=op.f("pk_organiser_event")),
    )
    with op.batch_alter_table("organiser_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organiser_event_event_id"), ["event_id"], unique=False)

    op.create_table(
        "account_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("purpose", PURPOSE, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", eventsite.database.UTCDateTime(), nullable=False),
        sa.Column("expires_at", eventsite.database.UTCDateTime(), nullable=False),
        sa.Column("used_at", eventsite.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organiser.id"],
            name=op.f("fk_account_link_organiser_id_organiser"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_link_token_hash")),
    )
    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_link_organiser_id"), ["organiser_id"], unique=False)


def downgrade():
    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_link_organiser_id"))
    op.drop_table("account_link")

    with op.batch_alter_table("organiser_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organiser_event_event_id"))
    op.drop_table("organiser_event")

    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("name")

    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35+), for the same reason as in upgrade().
    with op.batch_alter_table("organiser", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("last_login_at")
        batch_op.drop_column("session_version")
        batch_op.drop_column("all_events")
        batch_op.drop_column("active")
