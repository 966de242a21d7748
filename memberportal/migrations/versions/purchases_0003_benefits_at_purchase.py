"""purchases: the discount each purchase was granted; member-day discount, weekly member
days and a birthday-month multiplier in the program rules

Revision ID: purchases_0003
Revises: brand_0001
Create Date: 2026-12-08 00:20:00.000000

Purchases recorded before this kept no discount: their three new columns stay NULL ("none
recorded"), which the CHECK allows. The program's rules row, if saved, gets no member-day
discount, no weekly member day and a birthday multiplier of 100% (no extra), so earning and
paying are unchanged until the owner sets them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'purchases_0003'
down_revision = 'brand_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('discount_bps', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('discount_cents', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_purchases_discount_kind'),
            "discount_kind IS NULL OR discount_kind IN ('paid_card','member_day')",
        )
        batch_op.create_check_constraint(
            op.f('ck_purchases_discount_whole'),
            "(discount_kind IS NULL) = (discount_bps IS NULL) "
            "AND (discount_kind IS NULL) = (discount_cents IS NULL)",
        )
        batch_op.create_check_constraint(
            op.f('ck_purchases_discount_range'),
            "discount_bps IS NULL OR (discount_bps BETWEEN 1 AND 10000 AND discount_cents >= 0)",
        )
    with op.batch_alter_table('program_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_day_weekday', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('member_day_discount_bps', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(
            sa.Column('birthday_multiplier_pct', sa.Integer(), server_default='100',
                      nullable=False)
        )
        batch_op.create_check_constraint(
            op.f('ck_program_rules_member_day_weekday'),
            'member_day_weekday IS NULL OR member_day_weekday BETWEEN 1 AND 7',
        )
        batch_op.create_check_constraint(
            op.f('ck_program_rules_member_day_one_kind'),
            'member_day IS NULL OR member_day_weekday IS NULL',
        )
        batch_op.create_check_constraint(
            op.f('ck_program_rules_member_day_discount'),
            'member_day_discount_bps BETWEEN 0 AND 9000',
        )
        batch_op.create_check_constraint(
            op.f('ck_program_rules_birthday_multiplier'),
            'birthday_multiplier_pct BETWEEN 100 AND 1000',
        )


def downgrade():
    with op.batch_alter_table('program_rules', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_program_rules_birthday_multiplier'), type_='check')
        batch_op.drop_constraint(op.f('ck_program_rules_member_day_discount'), type_='check')
        batch_op.drop_constraint(op.f('ck_program_rules_member_day_one_kind'), type_='check')
        batch_op.drop_constraint(op.f('ck_program_rules_member_day_weekday'), type_='check')
        batch_op.drop_column('birthday_multiplier_pct')
        batch_op.drop_column('member_day_discount_bps')
        batch_op.drop_column('member_day_weekday')
    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_purchases_discount_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_purchases_discount_whole'), type_='check')
        batch_op.drop_constraint(op.f('ck_purchases_discount_kind'), type_='check')
        batch_op.drop_column('discount_cents')
        batch_op.drop_column('discount_bps')
        batch_op.drop_column('discount_kind')
