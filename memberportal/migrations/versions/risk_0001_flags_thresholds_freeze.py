"""risk: owner-set thresholds, the scan watermark, flags, and a member's freeze for review

Revision ID: risk_0001
Revises: mall_0004
Create Date: 2026-11-23 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'risk_0001'
down_revision = 'mall_0004'
branch_labels = None
depends_on = None

BigID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'risk_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('big_purchase_cents', sa.Integer(), nullable=False),
        sa.Column('daily_purchases', sa.Integer(), nullable=False),
        sa.Column('refund_rate_pct', sa.Integer(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_risk_rules_single_row')),
        sa.CheckConstraint('big_purchase_cents BETWEEN 100 AND 100000000', name=op.f('ck_risk_rules_big_purchase_range')),
        sa.CheckConstraint('daily_purchases BETWEEN 1 AND 1000', name=op.f('ck_risk_rules_daily_purchases_range')),
        sa.CheckConstraint('refund_rate_pct BETWEEN 1 AND 99', name=op.f('ck_risk_rules_refund_rate_range')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_rules')),
    )
    op.create_table(
        'risk_scans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scanned_until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('scans', sa.Integer(), nullable=False),
        sa.Column('purchase_floor', BigID, nullable=False),
        sa.Column('refund_floor', BigID, nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_risk_scans_single_row')),
        sa.CheckConstraint('purchase_floor >= 0 AND refund_floor >= 0', name=op.f('ck_risk_scans_floors')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_scans')),
    )
    op.create_table(
        'risk_flags',
        sa.Column('id', BigID, nullable=False),
        sa.Column('rule', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('member_id', BigID, nullable=False),
        sa.Column('purchase_id', BigID, nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('base_cents', sa.Integer(), nullable=False),
        sa.Column('purchase_count', sa.Integer(), nullable=False),
        sa.Column('rate_pct', sa.Integer(), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reviewed_by', sa.String(length=200), nullable=True),
        sa.Column('review_note', sa.String(length=500), nullable=True),
        sa.CheckConstraint("rule IN ('big_purchase','many_purchases','refund_rate')", name=op.f('ck_risk_flags_rule')),
        sa.CheckConstraint("status IN ('open','reviewed')", name=op.f('ck_risk_flags_status')),
        sa.CheckConstraint(
            "(status = 'open' AND reviewed_at IS NULL AND review_note IS NULL)"
            " OR (status = 'reviewed' AND reviewed_at IS NOT NULL AND review_note IS NOT NULL)",
            name=op.f('ck_risk_flags_review_complete'),
        ),
        sa.CheckConstraint(
            'amount_cents >= 0 AND base_cents >= 0 AND purchase_count >= 0 AND rate_pct >= 0',
            name=op.f('ck_risk_flags_figures'),
        ),
        sa.CheckConstraint("(rule = 'big_purchase') = (purchase_id IS NOT NULL)", name=op.f('ck_risk_flags_purchase_for_big')),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_risk_flags_member_id_members'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['purchase_id'], ['purchases.id'], name=op.f('fk_risk_flags_purchase_id_purchases'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flags')),
        sa.UniqueConstraint('rule', 'subject', name=op.f('uq_risk_flags_rule_subject')),
    )
    op.create_index(op.f('ix_risk_flags_member_id'), 'risk_flags', ['member_id'], unique=False)
    op.create_index('ix_risk_flags_status_detected', 'risk_flags', ['status', 'detected_at', 'id'], unique=False)
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('frozen_reason', sa.String(length=500), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_members_frozen_with_reason'), '(frozen_at IS NULL) = (frozen_reason IS NULL)'
        )


def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_members_frozen_with_reason'), type_='check')
        batch_op.drop_column('frozen_reason')
        batch_op.drop_column('frozen_at')
    op.drop_index('ix_risk_flags_status_detected', table_name='risk_flags')
    op.drop_index(op.f('ix_risk_flags_member_id'), table_name='risk_flags')
    op.drop_table('risk_flags')
    op.drop_table('risk_scans')
    op.drop_table('risk_rules')
