"""referrals: who invited whom (once per referred member) and the referral rules

Revision ID: referrals_0001
Revises: coupons_0002
Create Date: 2026-11-22 23:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'referrals_0001'
down_revision = 'coupons_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referrals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('referrer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('referred_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('growth', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('referrer_id <> referred_id', name=op.f('ck_referrals_not_self')),
    sa.ForeignKeyConstraint(['referred_id'], ['members.id'], name=op.f('fk_referrals_referred_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['referrer_id'], ['members.id'], name=op.f('fk_referrals_referrer_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('referred_id', name=op.f('uq_referrals_referred_id'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_referrer_id'), ['referrer_id'], unique=False)

    # Every key of DEFAULT_RULES is a column: the API's hot path selects them all.
    with op.batch_alter_table('program_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral_points', sa.Integer(), server_default='100', nullable=False))
        batch_op.add_column(sa.Column('share_growth', sa.Integer(), server_default='10', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_program_rules_referral'),
            'referral_points BETWEEN 0 AND 100000 AND share_growth BETWEEN 0 AND 10000',
        )


def downgrade():
    with op.batch_alter_table('program_rules', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_program_rules_referral'), type_='check')
        batch_op.drop_column('share_growth')
        batch_op.drop_column('referral_points')

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_referrer_id'))

    op.drop_table('referrals')
