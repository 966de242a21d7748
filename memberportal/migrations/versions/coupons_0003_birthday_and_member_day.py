"""coupons: templates for the birthday month and the member day

Revision ID: coupons_0003
Revises: referrals_0002
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'coupons_0003'
down_revision = 'referrals_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('coupon_templates', schema=None) as batch_op:
        batch_op.alter_column(
            'source', existing_type=sa.String(length=8), type_=sa.String(length=16),
            existing_nullable=False, existing_server_default='tier',
        )
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_source'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_tier_only_for_tier_source'), type_='check')
        batch_op.create_check_constraint('source', "source IN ('tier','paid','birthday','member_day')")
        # The tier is the tier reached (tier coupons) or the minimum tier (birthday, member day).
        batch_op.create_check_constraint('no_tier_for_paid', "source <> 'paid' OR tier_id IS NULL")
        batch_op.create_check_constraint('member_day_one_day', "source <> 'member_day' OR valid_days = 1")
        batch_op.create_check_constraint('birthday_within_month', "source <> 'birthday' OR valid_days <= 31")


def downgrade():
    # Birthday and member-day templates (and the coupons issued from them) cannot be expressed
    # before this revision; a downgrade refuses rather than deleting them.
    bind = op.get_bind()
    if bind.execute(sa.text(
        "SELECT count(*) FROM coupon_templates WHERE source IN ('birthday','member_day')"
    )).scalar():
        raise RuntimeError('birthday or member-day coupon templates exist; remove them first')
    with op.batch_alter_table('coupon_templates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_birthday_within_month'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_member_day_one_day'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_no_tier_for_paid'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_source'), type_='check')
        batch_op.create_check_constraint('source', "source IN ('tier','paid')")
        batch_op.create_check_constraint('tier_only_for_tier_source', "source = 'tier' OR tier_id IS NULL")
        batch_op.alter_column(
            'source', existing_type=sa.String(length=16), type_=sa.String(length=8),
            existing_nullable=False, existing_server_default='tier',
        )
