"""api: a function that aborts the purchase fast path's statement (PostgreSQL only)

Revision ID: api_0002
Revises: points_0003
Create Date: 2026-11-22 22:10:00

The fast path for API purchases writes every row in one statement on a connection without an
explicit transaction; when the common case does not hold, the statement calls this function,
which raises, so that nothing of it is kept (see memberportal/api/hot_path.py).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'api_0002'
down_revision = 'points_0003'
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
        op.execute(FUNCTION)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS take_general_path(text)')
