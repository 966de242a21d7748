"""claims: a member's claim for a purchase that earned no points, and the staff decision

Revision ID: claims_0001
Revises: members_0004
Create Date: 2026-12-08 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'claims_0001'
down_revision = 'members_0004'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'points_claims',
        sa.Column('id', ID, nullable=False),
        sa.Column('member_id', ID, nullable=False),
        sa.Column('store', sa.String(length=100), nullable=False),
        sa.Column('purchased_on', sa.Date(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('receipt', sa.String(length=80), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.String(length=200), nullable=True),
        sa.Column('reject_reason', sa.String(length=500), nullable=True),
        sa.Column('purchase_id', ID, nullable=True),
        sa.CheckConstraint('amount_cents > 0', name=op.f('ck_points_claims_amount_positive')),
        sa.CheckConstraint("status IN ('pending','approved','rejected')",
                           name=op.f('ck_points_claims_status')),
        sa.CheckConstraint("(status = 'pending') = (decided_at IS NULL)",
                           name=op.f('ck_points_claims_decided_when_done')),
        sa.CheckConstraint("(status = 'approved') = (purchase_id IS NOT NULL)",
                           name=op.f('ck_points_claims_approved_buys')),
        sa.CheckConstraint("(status = 'rejected') = (reject_reason IS NOT NULL)",
                           name=op.f('ck_points_claims_why_rejected')),
        sa.CheckConstraint('length(store) > 0', name=op.f('ck_points_claims_store_given')),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'],
                                name=op.f('fk_points_claims_member_id_members'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['purchase_id'], ['purchases.id'],
                                name=op.f('fk_points_claims_purchase_id_purchases'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_points_claims')),
        sa.UniqueConstraint('purchase_id', name=op.f('uq_points_claims_purchase_id')),
    )
    with op.batch_alter_table('points_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_points_claims_member_id'), ['member_id'])
        batch_op.create_index('ix_points_claims_status_submitted',
                              ['status', 'submitted_at', 'id'])
        batch_op.create_index(
            'uq_points_claims_purchase', ['member_id', 'store', 'purchased_on', 'amount_cents'],
            unique=True, postgresql_where=sa.text("status <> 'rejected'"),
            sqlite_where=sa.text("status <> 'rejected'"))


def downgrade():
    op.drop_table('points_claims')
