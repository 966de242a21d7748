"""mall: join the mall line with the paid membership line (no schema change)

Revision ID: mall_0002
Revises: mall_0001, memberships_0001
Create Date: 2026-11-22 19:50:00.000000

"""

# revision identifiers, used by Alembic.
revision = 'mall_0002'
down_revision = ('mall_0001', 'memberships_0001')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
