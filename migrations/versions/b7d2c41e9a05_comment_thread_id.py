"""comment.thread_id: the top-level comment each reply belongs to

Pages of a discussion hold whole threads; with this column one query loads a
page's threads without reading the rest of the panel's comments.

Revision ID: b7d2c41e9a05
Revises: 5431f4f53ea8
Create Date: 2026-11-26 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2c41e9a05'
down_revision = '5431f4f53ea8'
branch_labels = None
depends_on = None


def upgrade():
    # A plain nullable column and an index: SQLite adds both without rebuilding
    # the table (a rebuild of `comment` fails while foreign keys are enforced).
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_comment_thread_id'), ['thread_id'], unique=False)

    # Fill in existing replies one level at a time: a reply takes its parent's
    # thread once the parent's is known (a top-level parent is its own thread).
    # Plain correlated UPDATEs, so the same statement runs on SQLite and PostgreSQL.
    comment = sa.table('comment', sa.column('id'), sa.column('parent_id'), sa.column('thread_id'))
    parent = comment.alias('parent')
    ready = sa.exists().where(
        parent.c.id == comment.c.parent_id,
        sa.or_(parent.c.parent_id.is_(None), parent.c.thread_id.isnot(None)),
    )
    parents_thread = (
        sa.select(sa.func.coalesce(parent.c.thread_id, parent.c.id))
        .where(parent.c.id == comment.c.parent_id)
        .scalar_subquery()
    )
    bind = op.get_bind()
    while True:
        done = bind.execute(
            comment.update()
            .where(comment.c.parent_id.isnot(None), comment.c.thread_id.is_(None), ready)
            .values(thread_id=parents_thread)
        )
        if not done.rowcount:
            break


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_thread_id'))
        batch_op.drop_column('thread_id')
