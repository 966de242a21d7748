"""wallet: stored value (储值): top-up plans, wallets (principal and bonus, CHECK >= 0), top-ups,
spends and their refunds, the append-only ledger, disputes, the "tier tied to balance" option

Revision ID: wallet_0001
Revises: brand_0001
Create Date: 2026-12-08 00:08:49.908414

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'wallet_0001'
down_revision = 'brand_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wallet_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tier_needs_balance', sa.Boolean(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_wallet_settings_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_settings'))
    )
    op.create_table('wallet_balance_tiers',
    sa.Column('tier_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['tier_id'], ['tiers.id'], name=op.f('fk_wallet_balance_tiers_tier_id_tiers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tier_id', name=op.f('pk_wallet_balance_tiers'))
    )
    op.create_table('wallet_plans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('pay_cents', sa.Integer(), nullable=False),
    sa.Column('bonus_cents', sa.Integer(), nullable=False),
    sa.Column('bonus_points', sa.Integer(), nullable=False),
    sa.Column('min_tier_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('bonus_cents >= 0', name=op.f('ck_wallet_plans_bonus_not_negative')),
    sa.CheckConstraint('bonus_points >= 0', name=op.f('ck_wallet_plans_bonus_points_not_negative')),
    sa.CheckConstraint('ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at', name=op.f('ck_wallet_plans_window_order')),
    sa.CheckConstraint('pay_cents > 0', name=op.f('ck_wallet_plans_pay_positive')),
    sa.ForeignKeyConstraint(['min_tier_id'], ['tiers.id'], name=op.f('fk_wallet_plans_min_tier_id_tiers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_plans'))
    )
    op.create_table('wallet_spends',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('order_ref', sa.String(length=64), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('principal_cents', sa.Integer(), nullable=False),
    sa.Column('bonus_cents', sa.Integer(), nullable=False),
    sa.Column('refunded_cents', sa.Integer(), nullable=False),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_wallet_spends_amount_positive')),
    sa.CheckConstraint('principal_cents >= 0 AND bonus_cents >= 0 AND principal_cents + bonus_cents = amount_cents', name=op.f('ck_wallet_spends_parts')),
    sa.CheckConstraint('refunded_cents >= 0 AND refunded_cents <= amount_cents', name=op.f('ck_wallet_spends_refund_within')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_wallet_spends_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_spends')),
    sa.UniqueConstraint('source', 'order_ref', name=op.f('uq_wallet_spends_source_order_ref'))
    )
    with op.batch_alter_table('wallet_spends', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_spends_member_id'), ['member_id'], unique=False)

    op.create_table('wallet_topups',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('pay_cents', sa.Integer(), nullable=False),
    sa.Column('bonus_cents', sa.Integer(), nullable=False),
    sa.Column('bonus_points', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('checkout_session_id', sa.String(length=255), nullable=True),
    sa.Column('payment_intent_id', sa.String(length=255), nullable=True),
    sa.Column('refund_id', sa.String(length=255), nullable=True),
    sa.Column('refunded_principal_cents', sa.Integer(), nullable=False),
    sa.Column('forfeited_bonus_cents', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'expired') OR paid_at IS NOT NULL", name=op.f('ck_wallet_topups_paid_has_time')),
    sa.CheckConstraint("state IN ('pending', 'paid', 'expired', 'refunding', 'refunded', 'charged_back')", name=op.f('ck_wallet_topups_state')),
    sa.CheckConstraint('pay_cents > 0 AND bonus_cents >= 0', name=op.f('ck_wallet_topups_amounts')),
    sa.CheckConstraint('refunded_principal_cents >= 0 AND refunded_principal_cents <= pay_cents AND forfeited_bonus_cents >= 0 AND forfeited_bonus_cents <= bonus_cents', name=op.f('ck_wallet_topups_refund_within_topup')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_wallet_topups_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['plan_id'], ['wallet_plans.id'], name=op.f('fk_wallet_topups_plan_id_wallet_plans'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_topups')),
    sa.UniqueConstraint('checkout_session_id', name=op.f('uq_wallet_topups_checkout_session_id')),
    sa.UniqueConstraint('payment_intent_id', name=op.f('uq_wallet_topups_payment_intent_id'))
    )
    with op.batch_alter_table('wallet_topups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_topups_member_id'), ['member_id'], unique=False)

    op.create_table('wallets',
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('principal_cents', sa.Integer(), nullable=False),
    sa.Column('bonus_cents', sa.Integer(), nullable=False),
    sa.Column('open_disputes', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('bonus_cents >= 0', name=op.f('ck_wallets_bonus_not_negative')),
    sa.CheckConstraint('open_disputes >= 0', name=op.f('ck_wallets_open_disputes_not_negative')),
    sa.CheckConstraint('principal_cents >= 0', name=op.f('ck_wallets_principal_not_negative')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_wallets_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_wallets'))
    )
    op.create_table('wallet_disputes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('dispute_id', sa.String(length=255), nullable=False),
    sa.Column('topup_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('open', 'won', 'lost')", name=op.f('ck_wallet_disputes_state')),
    sa.ForeignKeyConstraint(['topup_id'], ['wallet_topups.id'], name=op.f('fk_wallet_disputes_topup_id_wallet_topups'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_disputes')),
    sa.UniqueConstraint('dispute_id', name=op.f('uq_wallet_disputes_dispute_id'))
    )
    op.create_table('wallet_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('principal_cents', sa.Integer(), nullable=False),
    sa.Column('bonus_cents', sa.Integer(), nullable=False),
    sa.Column('topup_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('spend_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('actor_kind', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('topup', 'spend', 'spend_refund', 'topup_refund', 'chargeback')", name=op.f('ck_wallet_entries_kind')),
    sa.CheckConstraint('principal_cents <> 0 OR bonus_cents <> 0', name=op.f('ck_wallet_entries_moves_something')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_wallet_entries_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['spend_id'], ['wallet_spends.id'], name=op.f('fk_wallet_entries_spend_id_wallet_spends'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['topup_id'], ['wallet_topups.id'], name=op.f('fk_wallet_entries_topup_id_wallet_topups'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_entries'))
    )
    with op.batch_alter_table('wallet_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_entries_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_entries_member_id'), ['member_id'], unique=False)

    op.create_table('wallet_spend_refunds',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('spend_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('refund_ref', sa.String(length=64), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('principal_cents', sa.Integer(), nullable=False),
    sa.Column('bonus_cents', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_wallet_spend_refunds_amount_positive')),
    sa.CheckConstraint('principal_cents >= 0 AND bonus_cents >= 0 AND principal_cents + bonus_cents = amount_cents', name=op.f('ck_wallet_spend_refunds_parts')),
    sa.ForeignKeyConstraint(['spend_id'], ['wallet_spends.id'], name=op.f('fk_wallet_spend_refunds_spend_id_wallet_spends'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_spend_refunds')),
    sa.UniqueConstraint('spend_id', 'refund_ref', name=op.f('uq_wallet_spend_refunds_spend_id_refund_ref'))
    )
    with op.batch_alter_table('wallet_spend_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_spend_refunds_spend_id'), ['spend_id'], unique=False)



def downgrade():
    with op.batch_alter_table('wallet_spend_refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_spend_refunds_spend_id'))

    op.drop_table('wallet_spend_refunds')
    with op.batch_alter_table('wallet_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_entries_member_id'))
        batch_op.drop_index(batch_op.f('ix_wallet_entries_at'))

    op.drop_table('wallet_entries')
    op.drop_table('wallet_disputes')
    op.drop_table('wallets')
    with op.batch_alter_table('wallet_topups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_topups_member_id'))

    op.drop_table('wallet_topups')
    with op.batch_alter_table('wallet_spends', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_spends_member_id'))

    op.drop_table('wallet_spends')
    op.drop_table('wallet_plans')
    op.drop_table('wallet_balance_tiers')
    op.drop_table('wallet_settings')
