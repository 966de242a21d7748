"""coupons: the order reference a till or shop used a coupon on (API write-off)

Revision ID: coupons_0004
Revises: accounts_0001
Create Date: 2026-11-23 02:00:00.000000

Nullable: coupons written off at the cashier's desk, and every coupon used before this
revision, have none.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'coupons_0004'
down_revision = 'accounts_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_order_ref', sa.String(length=64), nullable=True))
        batch_op.create_check_constraint(
            'order_ref_when_used', "used_order_ref IS NULL OR state = 'used'"
        )


def downgrade():
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_coupons_order_ref_when_used'), type_='check')
        batch_op.drop_column('used_order_ref')
