"""api: drop the purchase fast path's abort function; every purchase takes the one path

Revision ID: api_0003
Revises: accounts_0003
Create Date: 2026-12-06 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'api_0003'
down_revision = 'accounts_0003'
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION take_general_path(reason text) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'MP001', MESSAGE = reason;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS take_general_path(text)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FUNCTION)
