"""points: index ledger entries by lot (the history explains what consumed each lot)

Revision ID: points_0003
Revises: mall_0003
Create Date: 2026-11-22 20:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'points_0003'
down_revision = 'mall_0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.create_index('ix_point_entries_lot', ['lot_id'], unique=False)


def downgrade():
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_point_entries_lot')
