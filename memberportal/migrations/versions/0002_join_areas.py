"""join the mall and API migration lines

Revision ID: 0002_join_areas
Revises: api_0001, mall_0002
Create Date: 2026-11-22 20:00:00

"""

# revision identifiers, used by Alembic.
revision = '0002_join_areas'
down_revision = ('api_0001', 'mall_0002')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
