"""accounts: password resets issued by staff, and a session version on members

Revision ID: accounts_0001
Revises: coupons_0003
Create Date: 2026-11-24 10:00:00.000000

A reset holds only hashes of its link token and code; at most one is open (neither used nor
voided) per member. members.session_version is part of every member session's user id: a
password change or reset adds one, which ends the sessions signed in before it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'accounts_0001'
down_revision = 'coupons_0003'
branch_labels = None
depends_on = None

_OPEN = 'used_at IS NULL AND voided_at IS NULL'


def upgrade():
    op.create_table('password_resets',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('issued_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_password_resets_expires_after_created')),
    sa.CheckConstraint('used_at IS NULL OR voided_at IS NULL', name=op.f('ck_password_resets_used_or_voided')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['staff_users.id'], name=op.f('fk_password_resets_issued_by_id_staff_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_password_resets_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_resets_token_hash'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_member_id'), ['member_id'], unique=False)
        batch_op.create_index('uq_password_resets_one_open', ['member_id'], unique=True, postgresql_where=sa.text(_OPEN), sqlite_where=sa.text(_OPEN))

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('session_version')

    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index('uq_password_resets_one_open', postgresql_where=sa.text(_OPEN), sqlite_where=sa.text(_OPEN))
        batch_op.drop_index(batch_op.f('ix_password_resets_member_id'))

    op.drop_table('password_resets')
