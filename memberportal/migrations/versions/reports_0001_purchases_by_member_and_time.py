"""reports: index purchases by member and time, carrying the amounts (the reports' per-member
figures read the index alone instead of visiting every purchase row)

Revision ID: reports_0001
Revises: brand_0001
Create Date: 2026-12-08 00:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'reports_0001'
down_revision = 'brand_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_purchases_member_at', 'purchases', ['member_id', 'at'], unique=False,
        postgresql_include=['amount_cents', 'refunded_cents'],
    )


def downgrade():
    op.drop_index('ix_purchases_member_at', table_name='purchases')
