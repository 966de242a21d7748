"""points: sign-in streaks (daily points, a bonus every Nth day) and referral anti-farming rules

Revision ID: points_0005
Revises: brand_0001
Create Date: 2026-12-08 00:30:00.000000

Sign-ins made before keep the growth they earned; their streaks are counted from the days
already stored, so a member's run goes on across the upgrade.
"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'points_0005'
down_revision = 'brand_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('program_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sign_in_points', sa.Integer(), server_default='5', nullable=False))
        batch_op.add_column(sa.Column('streak_bonus_days', sa.Integer(), server_default='7', nullable=False))
        batch_op.add_column(sa.Column('streak_bonus_points', sa.Integer(), server_default='20', nullable=False))
        batch_op.add_column(sa.Column('streak_bonus_growth', sa.Integer(), server_default='10', nullable=False))
        batch_op.add_column(sa.Column('referral_welcome_points', sa.Integer(), server_default='50', nullable=False))
        batch_op.add_column(sa.Column('referral_monthly_cap', sa.Integer(), server_default='10', nullable=False))
        batch_op.add_column(sa.Column('referral_hold_until_purchase', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_program_rules_streak'),
            'sign_in_points BETWEEN 0 AND 100000 AND streak_bonus_days BETWEEN 2 AND 31'
            ' AND streak_bonus_points BETWEEN 0 AND 100000'
            ' AND streak_bonus_growth BETWEEN 0 AND 10000',
        )
        batch_op.create_check_constraint(
            op.f('ck_program_rules_referral_limits'),
            'referral_welcome_points BETWEEN 0 AND 100000 AND referral_monthly_cap BETWEEN 0 AND 1000',
        )
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('streak', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('points', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('bonus', sa.Boolean(), server_default=sa.false(), nullable=False))
    _count_streaks()
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_sign_ins_points_not_negative'), 'points >= 0')
        batch_op.create_check_constraint(op.f('ck_sign_ins_streak_positive'), 'streak >= 1')


def _count_streaks():
    sign_ins = sa.table('sign_ins', sa.column('id'), sa.column('member_id'), sa.column('day'),
                        sa.column('streak'))
    bind = op.get_bind()
    rows = bind.execute(sa.select(sign_ins.c.id, sign_ins.c.member_id, sign_ins.c.day)
                        .order_by(sign_ins.c.member_id, sign_ins.c.day)).all()
    last_member, last_day, streak = None, None, 0
    for row_id, member_id, day in rows:
        consecutive = member_id == last_member and day - last_day == timedelta(days=1)
        streak = streak + 1 if consecutive else 1
        last_member, last_day = member_id, day
        if streak > 1:
            bind.execute(sa.update(sign_ins).where(sign_ins.c.id == row_id).values(streak=streak))


def downgrade():
    with op.batch_alter_table('sign_ins', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sign_ins_streak_positive'), type_='check')
        batch_op.drop_constraint(op.f('ck_sign_ins_points_not_negative'), type_='check')
        batch_op.drop_column('bonus')
        batch_op.drop_column('points')
        batch_op.drop_column('streak')
    with op.batch_alter_table('program_rules', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_program_rules_referral_limits'), type_='check')
        batch_op.drop_constraint(op.f('ck_program_rules_streak'), type_='check')
        for column in ('referral_hold_until_purchase', 'referral_monthly_cap',
                       'referral_welcome_points', 'streak_bonus_growth', 'streak_bonus_points',
                       'streak_bonus_days', 'sign_in_points'):
            batch_op.drop_column(column)
