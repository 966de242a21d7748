"""points: staff adjustments above a threshold wait for a second person's approval

Revision ID: points_0004
Revises: tiers_0002
Create Date: 2026-12-06 14:35:00.000000

The threshold starts at 1,000 points for every program.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'points_0004'
down_revision = 'tiers_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('program_rules', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('approval_threshold_points', sa.Integer(), server_default='1000',
                      nullable=False)
        )
        batch_op.create_check_constraint(
            op.f('ck_program_rules_approval_threshold'), 'approval_threshold_points >= 0'
        )
    big = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
    op.create_table(
        'point_adjustment_requests',
        sa.Column('id', big, nullable=False),
        sa.Column('member_id', big, nullable=False),
        sa.Column('points', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('maker_id', big, nullable=False),
        sa.Column('maker_label', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('checker_id', big, nullable=True),
        sa.Column('checker_label', sa.String(length=200), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_note', sa.String(length=500), nullable=True),
        sa.Column('entry_id', big, nullable=True),
        sa.CheckConstraint('points <> 0', name=op.f('ck_point_adjustment_requests_points_not_zero')),
        sa.CheckConstraint("status IN ('pending','approved','rejected')",
                           name=op.f('ck_point_adjustment_requests_status')),
        sa.CheckConstraint('checker_id IS NULL OR checker_id <> maker_id',
                           name=op.f('ck_point_adjustment_requests_four_eyes')),
        sa.CheckConstraint("(status = 'pending') = (checker_id IS NULL AND decided_at IS NULL)",
                           name=op.f('ck_point_adjustment_requests_decided')),
        sa.CheckConstraint("status = 'approved' OR entry_id IS NULL",
                           name=op.f('ck_point_adjustment_requests_entry_only_approved')),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='RESTRICT',
                                name=op.f('fk_point_adjustment_requests_member_id_members')),
        sa.ForeignKeyConstraint(['maker_id'], ['staff_users.id'], ondelete='RESTRICT',
                                name=op.f('fk_point_adjustment_requests_maker_id_staff_users')),
        sa.ForeignKeyConstraint(['checker_id'], ['staff_users.id'], ondelete='RESTRICT',
                                name=op.f('fk_point_adjustment_requests_checker_id_staff_users')),
        sa.ForeignKeyConstraint(['entry_id'], ['point_entries.id'], ondelete='RESTRICT',
                                name=op.f('fk_point_adjustment_requests_entry_id_point_entries')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_point_adjustment_requests')),
    )
    op.create_index('ix_point_adjustment_requests_member_id', 'point_adjustment_requests',
                    ['member_id'])
    op.create_index('ix_point_adjustment_requests_status', 'point_adjustment_requests',
                    ['status', 'id'])


def downgrade():
    op.drop_table('point_adjustment_requests')
    with op.batch_alter_table('program_rules', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_program_rules_approval_threshold'), type_='check')
        batch_op.drop_column('approval_threshold_points')
