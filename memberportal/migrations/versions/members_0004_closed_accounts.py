"""members: closing an account (PIPL): when it was closed; a closed one holds no personal data

Revision ID: members_0004
Revises: referrals_0003
Create Date: 2026-12-08 01:00:00.000000

No member is closed before this revision, so existing rows satisfy the new checks.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'members_0004'
down_revision = 'referrals_0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_members_has_contact'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_members_has_contact'),
            'phone IS NOT NULL OR email IS NOT NULL OR closed_at IS NOT NULL')
        batch_op.create_check_constraint(
            op.f('ck_members_closed_erased'),
            "closed_at IS NULL OR (phone IS NULL AND email IS NULL AND birthday IS NULL"
            " AND name = '' AND NOT is_active_member)")


def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_members_closed_erased'), type_='check')
        batch_op.drop_constraint(op.f('ck_members_has_contact'), type_='check')
        batch_op.create_check_constraint(op.f('ck_members_has_contact'),
                                         'phone IS NOT NULL OR email IS NOT NULL')
        batch_op.drop_column('closed_at')
