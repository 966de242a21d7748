"""purchases: drop the link to the earning entry; the entry names its purchase already

A purchase wrote its row, then its earning entry, then went back to its row to store the
entry's id: one UPDATE per purchase for a link the entry already holds (source_type
'purchase', source_id, indexed). Refunds find the purchase's lot through the entry.

Revision ID: purchases_0002
Revises: brand_0001
Create Date: 2026-12-08 00:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'purchases_0002'
down_revision = 'brand_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_purchases_earn_entry_id_point_entries', type_='foreignkey')
        batch_op.drop_column('earn_entry_id')


def downgrade():
    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'earn_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True
        ))
        batch_op.create_foreign_key(
            'fk_purchases_earn_entry_id_point_entries', 'point_entries', ['earn_entry_id'],
            ['id'], ondelete='RESTRICT'
        )
    op.execute(
        "UPDATE purchases SET earn_entry_id = (SELECT max(e.id) FROM point_entries e"
        " WHERE e.source_type = 'purchase' AND e.source_id = purchases.id"
        " AND e.entry_type = 'earn')"
    )
