"""referrals: staff list them newest first

Revision ID: referrals_0002
Revises: reviews_0001
Create Date: 2026-11-24 11:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'referrals_0002'
down_revision = 'reviews_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_created_at')
