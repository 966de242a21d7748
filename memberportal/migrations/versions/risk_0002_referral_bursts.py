"""risk: flag bursts of friends joining through one member's invite link in one day

Revision ID: risk_0002
Revises: claims_0001
Create Date: 2026-12-08 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'risk_0002'
down_revision = 'claims_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referrals_per_day', sa.Integer(), server_default='5',
                                      nullable=False))
        batch_op.create_check_constraint(op.f('ck_risk_rules_referrals_per_day_range'),
                                         'referrals_per_day BETWEEN 1 AND 1000')
    with op.batch_alter_table('risk_flags', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_risk_flags_rule'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_risk_flags_rule'),
            "rule IN ('big_purchase','many_purchases','refund_rate','referral_burst')")


def downgrade():
    op.execute("DELETE FROM risk_flags WHERE rule = 'referral_burst'")
    with op.batch_alter_table('risk_flags', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_risk_flags_rule'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_risk_flags_rule'), "rule IN ('big_purchase','many_purchases','refund_rate')")
    with op.batch_alter_table('risk_rules', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_risk_rules_referrals_per_day_range'), type_='check')
        batch_op.drop_column('referrals_per_day')
