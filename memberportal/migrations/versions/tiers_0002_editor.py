"""tiers: a colour for the card, retiring instead of deleting, one active tier per threshold

Revision ID: tiers_0002
Revises: members_0003
Create Date: 2026-12-06 13:40:00.000000

Existing tiers get the neutral grey; none is retired.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'tiers_0002'
down_revision = 'members_0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tiers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('colour', sa.String(length=7), server_default='#6b7280', nullable=False)
        )
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_tiers_colour'), "length(colour) = 7 AND substr(colour, 1, 1) = '#'"
        )
    op.create_index(
        'uq_tiers_active_threshold', 'tiers', ['growth_threshold'], unique=True,
        sqlite_where=sa.text('retired_at IS NULL'), postgresql_where=sa.text('retired_at IS NULL'),
    )


def downgrade():
    op.drop_index('uq_tiers_active_threshold', table_name='tiers')
    with op.batch_alter_table('tiers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_tiers_colour'), type_='check')
        batch_op.drop_column('retired_at')
        batch_op.drop_column('colour')
