"""api: calls counted per client and hour instead of a row per call

The call log wrote one row per API call, in the purchase's transaction. Workers now tally
their calls and add them to api_usage (client, UTC hour: calls, errors, replays, last call)
every few seconds. The logged calls are counted into it, then the log is dropped.

Revision ID: api_0004
Revises: purchases_0002
Create Date: 2026-12-08 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'api_0004'
down_revision = 'purchases_0002'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('api_usage',
    sa.Column('id', ID, nullable=False),
    sa.Column('client_id', ID, nullable=False),
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('replays', sa.Integer(), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('calls > 0', name=op.f('ck_api_usage_calls_positive')),
    sa.CheckConstraint('errors >= 0 AND errors <= calls', name=op.f('ck_api_usage_errors_within_calls')),
    sa.CheckConstraint('replays >= 0 AND replays <= calls', name=op.f('ck_api_usage_replays_within_calls')),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], name=op.f('fk_api_usage_client_id_api_clients'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_usage')),
    sa.UniqueConstraint('client_id', 'hour', name=op.f('uq_api_usage_client_id_hour'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        hour = "date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    else:  # SQLite keeps UTC datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]'
        hour = "strftime('%Y-%m-%d %H:00:00.000000', at)"
    op.execute(
        "INSERT INTO api_usage (client_id, hour, calls, errors, replays, last_at)"
        f" SELECT client_id, {hour}, count(*),"
        " sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END),"
        " sum(CASE WHEN replayed THEN 1 ELSE 0 END), max(at)"
        f" FROM api_calls GROUP BY client_id, {hour}"
    )
    with op.batch_alter_table('api_calls', schema=None) as batch_op:
        batch_op.drop_index('ix_api_calls_client_at')
    op.drop_table('api_calls')


def downgrade():
    op.create_table('api_calls',
    sa.Column('id', ID, nullable=False),
    sa.Column('client_id', ID, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('replayed', sa.Boolean(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], name=op.f('fk_api_calls_client_id_api_clients'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_calls'))
    )
    with op.batch_alter_table('api_calls', schema=None) as batch_op:
        batch_op.create_index('ix_api_calls_client_at', ['client_id', 'at'], unique=False)
    op.drop_table('api_usage')
