"""purchases: the reporting request's key and what the purchase answered, kept on the purchase;
a purchase's spend growth kept on the purchase alone

Revision ID: purchases_0004
Revises: notifications_0003
Create Date: 2026-12-08 04:00:00.000000

A purchase reported through the API is answered from its own row on a retry (the request key,
its hash, the balance and tier after it and the move it made) instead of a separate stored
answer. Answers stored before this stay in api_idempotency, where retries still find them,
until they are purged after the seven days clients may retry within; their purchases keep
NULL here. A purchase's spend growth was written twice, as the purchase's `growth_earned` and
as a growth entry of cause 'purchase' at the same time: the entries go, and the qualification
recount adds the purchases' growth instead (a refund's growth is still an entry of its own).
Downgrade writes those entries back from the purchases. The index on member_id alone goes:
ix_purchases_member_at (member_id, at) serves every lookup by member, one index write less.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'purchases_0004'
down_revision = 'notifications_0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('balance_after', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tier_after', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('tier_move', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(
            op.f('uq_purchases_source_request_key'), ['source', 'request_key']
        )
        # ix_purchases_member_at (member_id, at) finds a member's purchases already.
        batch_op.drop_index('ix_purchases_member_id')
    op.execute(
        "DELETE FROM growth_entries WHERE cause = 'purchase' AND source_type = 'purchase'"
    )


def downgrade():
    op.execute(
        "INSERT INTO growth_entries (member_id, kind, cause, amount, source_type, source_id, at)"
        " SELECT member_id, 'spend', 'purchase', growth_earned, 'purchase', id, at"
        " FROM purchases WHERE growth_earned <> 0"
    )
    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.create_index('ix_purchases_member_id', ['member_id'], unique=False)
        batch_op.drop_constraint(op.f('uq_purchases_source_request_key'), type_='unique')
        batch_op.drop_column('tier_move')
        batch_op.drop_column('tier_after')
        batch_op.drop_column('balance_after')
        batch_op.drop_column('request_hash')
        batch_op.drop_column('request_key')
