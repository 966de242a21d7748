"""members: the privacy notice and agreement version accepted on joining; a plausible birthday

Revision ID: members_0003
Revises: members_0002
Create Date: 2026-12-06 11:30:00.000000

Members who joined before the consent was asked keep NULL (they are asked nothing new here).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'members_0003'
down_revision = 'members_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_version', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_members_birthday_plausible'), "birthday IS NULL OR birthday >= '1900-01-01'"
        )
        batch_op.create_check_constraint(
            op.f('ck_members_consent_with_time'),
            '(consent_version IS NULL) = (consented_at IS NULL)',
        )


def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_members_consent_with_time'), type_='check')
        batch_op.drop_constraint(op.f('ck_members_birthday_plausible'), type_='check')
        batch_op.drop_column('consented_at')
        batch_op.drop_column('consent_version')
