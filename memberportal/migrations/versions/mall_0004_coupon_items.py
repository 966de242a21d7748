"""mall: coupon items (a points-mall coupon template per item), void coupons

Revision ID: mall_0004
Revises: coupons_0004
Create Date: 2026-11-23 02:00:00.000000

A coupon template of source 'mall' is issued only by redeeming a mall item of kind 'coupon'
(reason 'mall:<order id>'); the order keeps the coupon it issued, and cancelling the order
before the coupon is used turns the coupon 'void' (a state the write-off refuses).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'mall_0004'
down_revision = 'coupons_0004'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    with op.batch_alter_table('coupon_templates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_source'), type_='check')
        batch_op.create_check_constraint(
            'source', "source IN ('tier','paid','birthday','member_day','mall')"
        )
        batch_op.create_check_constraint('no_tier_for_mall', "source <> 'mall' OR tier_id IS NULL")

    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_coupons_state'), type_='check')
        batch_op.create_check_constraint('state', "state IN ('issued','used','void')")
        batch_op.create_check_constraint(
            'void_exactly_when_voided_at', "(state = 'void') = (voided_at IS NOT NULL)"
        )

    with op.batch_alter_table('mall_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coupon_template_id', _ID, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_mall_items_coupon_template_id_coupon_templates'),
            'coupon_templates', ['coupon_template_id'], ['id'], ondelete='RESTRICT',
        )
        batch_op.drop_constraint(batch_op.f('ck_mall_items_kind'), type_='check')
        batch_op.create_check_constraint(
            'kind', "kind IN ('pickup','shipped','virtual_code','coupon')"
        )
        batch_op.create_check_constraint(
            'coupon_template_exactly_for_coupons',
            "(kind = 'coupon') = (coupon_template_id IS NOT NULL)",
        )

    with op.batch_alter_table('mall_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coupon_id', _ID, nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_mall_orders_coupon_id'), ['coupon_id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_mall_orders_coupon_id_coupons'),
            'coupons', ['coupon_id'], ['id'], ondelete='RESTRICT',
        )


def downgrade():
    # Coupon items, void coupons and mall templates cannot be expressed before this revision;
    # a downgrade refuses rather than deleting them.
    bind = op.get_bind()
    for sql in (
        "SELECT count(*) FROM mall_items WHERE kind = 'coupon'",
        "SELECT count(*) FROM coupons WHERE state = 'void'",
        "SELECT count(*) FROM coupon_templates WHERE source = 'mall'",
    ):
        if bind.execute(sa.text(sql)).scalar():
            raise RuntimeError('coupon items or points-mall coupons exist; remove them first')
    with op.batch_alter_table('mall_orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mall_orders_coupon_id_coupons'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_mall_orders_coupon_id'), type_='unique')
        batch_op.drop_column('coupon_id')

    with op.batch_alter_table('mall_items', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_mall_items_coupon_template_exactly_for_coupons'), type_='check'
        )
        batch_op.drop_constraint(batch_op.f('ck_mall_items_kind'), type_='check')
        batch_op.create_check_constraint('kind', "kind IN ('pickup','shipped','virtual_code')")
        batch_op.drop_constraint(
            batch_op.f('fk_mall_items_coupon_template_id_coupon_templates'), type_='foreignkey'
        )
        batch_op.drop_column('coupon_template_id')

    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_coupons_void_exactly_when_voided_at'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_coupons_state'), type_='check')
        batch_op.create_check_constraint('state', "state IN ('issued','used')")
        batch_op.drop_column('voided_at')

    with op.batch_alter_table('coupon_templates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_no_tier_for_mall'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_coupon_templates_source'), type_='check')
        batch_op.create_check_constraint('source', "source IN ('tier','paid','birthday','member_day')")
