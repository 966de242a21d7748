"""accounts: a session version and the last sign-in on staff accounts

Revision ID: accounts_0003
Revises: purchases_0001
Create Date: 2026-11-25 10:00:00.000000

staff_users.session_version is part of every staff session's user id: deactivating the
account, changing its role or resetting its password adds one, which ends the sessions signed
in before it. last_signed_in_at is shown to the owner on the staff list.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'accounts_0003'
down_revision = 'purchases_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_signed_in_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('last_signed_in_at')
        batch_op.drop_column('session_version')
