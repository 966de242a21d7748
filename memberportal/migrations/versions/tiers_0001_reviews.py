"""reviews: a member's review of a purchase (once per purchase) and the review growth rule

Revision ID: tiers_0001
Revises: coupons_0001
Create Date: 2026-11-23 09:12:04.118202

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'tiers_0001'
down_revision = 'coupons_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reviews',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('purchase_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('growth', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_reviews_rating_range')),
    sa.CheckConstraint('length(text) BETWEEN 10 AND 500', name=op.f('ck_reviews_text_length')),
    sa.CheckConstraint('growth >= 0', name=op.f('ck_reviews_growth_not_negative')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_reviews_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['purchase_id'], ['purchases.id'], name=op.f('fk_reviews_purchase_id_purchases'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('purchase_id', name=op.f('uq_reviews_purchase_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_member_id'), ['member_id'], unique=False)

    # Every key of DEFAULT_RULES is a column: the API's hot path selects them all.
    with op.batch_alter_table('program_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_growth', sa.Integer(), server_default='10', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_program_rules_review_growth'), 'review_growth BETWEEN 0 AND 10000'
        )


def downgrade():
    with op.batch_alter_table('program_rules', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_program_rules_review_growth'), type_='check')
        batch_op.drop_column('review_growth')

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_member_id'))
        batch_op.drop_index('ix_reviews_created_at')

    op.drop_table('reviews')
