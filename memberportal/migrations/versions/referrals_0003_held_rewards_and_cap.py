"""referrals: the welcome reward, rewards held until the friend's first purchase, a monthly cap

Revision ID: referrals_0003
Revises: points_0005
Create Date: 2026-12-08 00:45:00.000000

Referrals recorded before were paid at once: they become 'rewarded', decided when recorded.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'referrals_0003'
down_revision = 'points_0005'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('welcome_points', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='held', nullable=False))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
    referrals = sa.table('referrals', sa.column('status'), sa.column('decided_at'),
                         sa.column('created_at'))
    op.execute(referrals.update().values(status='rewarded', decided_at=referrals.c.created_at))
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_referrals_status'),
                                         "status IN ('held','rewarded','capped')")
        batch_op.create_check_constraint(op.f('ck_referrals_decided_when_paid'),
                                         "(status = 'held') = (decided_at IS NULL)")
        batch_op.create_check_constraint(op.f('ck_referrals_capped_unpaid'),
                                         "status <> 'capped' OR (points = 0 AND growth = 0)")
        batch_op.create_check_constraint(
            op.f('ck_referrals_amounts_not_negative'),
            'points >= 0 AND growth >= 0 AND welcome_points >= 0')
        batch_op.drop_index('ix_referrals_referrer_id')
        batch_op.create_index('ix_referrals_referrer_created', ['referrer_id', 'created_at'])
    op.create_table(
        'referral_quotas',
        sa.Column('referrer_id', ID, nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('rewarded', sa.Integer(), nullable=False),
        sa.CheckConstraint('rewarded >= 0', name=op.f('ck_referral_quotas_rewarded_not_negative')),
        sa.ForeignKeyConstraint(['referrer_id'], ['members.id'],
                                name=op.f('fk_referral_quotas_referrer_id_members'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('referrer_id', 'month', name=op.f('pk_referral_quotas')),
    )


def downgrade():
    op.drop_table('referral_quotas')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_referrer_created')
        batch_op.create_index('ix_referrals_referrer_id', ['referrer_id'])
        for name in ('amounts_not_negative', 'capped_unpaid', 'decided_when_paid', 'status'):
            batch_op.drop_constraint(op.f(f'ck_referrals_{name}'), type_='check')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('status')
        batch_op.drop_column('welcome_points')
