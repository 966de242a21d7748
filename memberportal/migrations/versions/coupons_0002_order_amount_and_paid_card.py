"""coupons: the order amount a coupon was used on; templates for the paid card (per period or quarter)

Revision ID: coupons_0002
Revises: tiers_0001
Create Date: 2026-11-22 23:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'coupons_0002'
down_revision = 'tiers_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('coupon_templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=8), server_default='tier', nullable=False))
        batch_op.add_column(sa.Column('per_quarter', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint('source', "source IN ('tier','paid')")
        batch_op.create_check_constraint('tier_only_for_tier_source', "source = 'tier' OR tier_id IS NULL")
        batch_op.create_check_constraint('quarterly_only_for_paid', "NOT per_quarter OR source = 'paid'")

    # Coupons used before this revision have no recorded order amount (NULL).
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_on_cents', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'used_on_reaches_threshold',
            "used_on_cents IS NULL OR (state = 'used' AND used_on_cents > 0 "
            "AND used_on_cents >= min_spend_cents)",
        )


def downgrade():
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_coupons_used_on_reaches_threshold'), type_='check')
        batch_op.drop_column('used_on_cents')

    with op.batch_alter_table('coupon_templates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_quarterly_only_for_paid'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_tier_only_for_tier_source'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_source'), type_='check')
        batch_op.drop_column('per_quarter')
        batch_op.drop_column('source')
