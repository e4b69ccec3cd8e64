"""Panelist access per event: a grant belongs to the event whose organisers sent the link

Revision ID: e1a2b3c4d509
Revises: e1a2b3c4d508
Create Date: 2026-12-06 23:00:00

People are shared between events, and one access row per person let the
organisers of one event read and replace the address another event's
organisers had typed. An existing grant is kept for the first event the
panelist sits on (by event id); grants of panelists on no panel are dropped.
Browser cookies and unused links change form, so panelists follow a new link.
"""

import sqlalchemy as sa
from alembic import op

revision = "e1a2b3c4d509"
down_revision = "e1a2b3c4d508"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("panelist_access", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
    access = sa.table("panelist_access", sa.column("panelist_id"), sa.column("event_id"))
    seat = sa.table("seat", sa.column("panelist_id"), sa.column("panel_id"))
    panel = sa.table("panel", sa.column("id"), sa.column("event_id"))
    first_event = (
        sa.select(sa.func.min(panel.c.event_id))
        .select_from(seat.join(panel, panel.c.id == seat.c.panel_id))
        .where(seat.c.panelist_id == access.c.panelist_id)
        .scalar_subquery()
    )
    bind = op.get_bind()
    bind.execute(access.update().values(event_id=first_event))
    bind.execute(access.delete().where(access.c.event_id.is_(None)))
    # Nothing refers to panelist_access, so SQLite may rebuild it to change its constraints.
    with op.batch_alter_table("panelist_access", schema=None) as batch_op:
        batch_op.alter_column("event_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_panelist_access_panelist_id", type_="unique")
        batch_op.create_unique_constraint("uq_panelist_access_panelist_event", ["panelist_id", "event_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_panelist_access_event_id_event"), "event", ["event_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index(batch_op.f("ix_panelist_access_event_id"), ["event_id"], unique=False)


def downgrade():
    # One row per panelist again: keep each panelist's oldest grant.
    access = sa.table("panelist_access", sa.column("id"), sa.column("panelist_id"))
    older = access.alias("older")
    op.get_bind().execute(
        access.delete().where(
            sa.exists().where(older.c.panelist_id == access.c.panelist_id, older.c.id < access.c.id)
        )
    )
    with op.batch_alter_table("panelist_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panelist_access_event_id"))
        batch_op.drop_constraint(batch_op.f("fk_panelist_access_event_id_event"), type_="foreignkey")
        batch_op.drop_constraint("uq_panelist_access_panelist_event", type_="unique")
        batch_op.create_unique_constraint("uq_panelist_access_panelist_id", ["panelist_id"])
        batch_op.drop_column("event_id")
