"""reviews: a fully refunded purchase takes its review's growth back, once (the refund that did it)

Revision ID: reviews_0001
Revises: referrals_0001
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'reviews_0001'
down_revision = 'referrals_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('growth_returned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('returned_by_refund_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_reviews_returned_by_refund_id'), ['returned_by_refund_id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_reviews_returned_by_refund_id_refunds'), 'refunds',
            ['returned_by_refund_id'], ['id'], ondelete='RESTRICT',
        )
        batch_op.create_check_constraint(
            op.f('ck_reviews_growth_returned_by_a_refund'),
            '(growth_returned_at IS NULL) = (returned_by_refund_id IS NULL)',
        )


def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reviews_growth_returned_by_a_refund'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_reviews_returned_by_refund_id_refunds'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_reviews_returned_by_refund_id'), type_='unique')
        batch_op.drop_column('returned_by_refund_id')
        batch_op.drop_column('growth_returned_at')
