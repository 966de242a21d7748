"""brand: the owner's saved name, time zone and currency display; when setup was finished

Revision ID: brand_0001
Revises: points_0004
Create Date: 2026-12-06 14:50:00.000000

Installs that ran before keep the environment's values until the owner saves the brand.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'brand_0001'
down_revision = 'points_0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'brand_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('time_zone', sa.String(length=64), nullable=False),
        sa.Column('currency_display', sa.String(length=8), nullable=False),
        sa.Column('setup_done_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('id = 1', name=op.f('ck_brand_settings_single_row')),
        sa.CheckConstraint("currency_display IN ('symbol','name')",
                           name=op.f('ck_brand_settings_currency_display')),
        sa.CheckConstraint('length(name) > 0', name=op.f('ck_brand_settings_name_given')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_brand_settings')),
    )


def downgrade():
    op.drop_table('brand_settings')
