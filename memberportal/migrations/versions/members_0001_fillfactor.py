"""members: leave room in each page for the updates every purchase makes (PostgreSQL only)

Revision ID: members_0001
Revises: api_0002
Create Date: 2026-11-22 23:00:00

A member's row changes at every purchase, sign-in and redemption (balance, growth, tier). With
full pages PostgreSQL must put the new version on another page and add it to every index of
the table (five); with room on the page it is a heap-only update that touches no index.
Applies to pages written from now on (VACUUM FULL members rewrites the existing ones).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'members_0001'
down_revision = 'api_0002'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE members SET (fillfactor = 85)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE members RESET (fillfactor)')
