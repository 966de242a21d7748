"""bulk: uploaded CSV files (once per kind and content) and their rows' preview and result

Revision ID: bulk_0001
Revises: brand_0001
Create Date: 2026-12-08 00:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bulk_0001'
down_revision = 'brand_0001'
branch_labels = None
depends_on = None


def upgrade():
    big = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
    op.create_table(
        'bulk_uploads',
        sa.Column('id', big, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('total_rows', sa.Integer(), nullable=False),
        sa.Column('uploaded_by', big, nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_by', big, nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('points','members')", name=op.f('ck_bulk_uploads_kind')),
        sa.CheckConstraint("status IN ('previewed','running','done','cancelled')",
                           name=op.f('ck_bulk_uploads_status')),
        sa.CheckConstraint("(status = 'previewed' OR status = 'cancelled') = "
                           "(confirmed_at IS NULL)", name=op.f('ck_bulk_uploads_confirmed')),
        sa.CheckConstraint("(status = 'done') = (finished_at IS NOT NULL)",
                           name=op.f('ck_bulk_uploads_finished')),
        sa.CheckConstraint('total_rows >= 0', name=op.f('ck_bulk_uploads_total_rows')),
        sa.CheckConstraint("sha256 IS NOT NULL OR status = 'cancelled'",
                           name=op.f('ck_bulk_uploads_hash_kept')),
        sa.ForeignKeyConstraint(['uploaded_by'], ['staff_users.id'], ondelete='RESTRICT',
                                name=op.f('fk_bulk_uploads_uploaded_by_staff_users')),
        sa.ForeignKeyConstraint(['confirmed_by'], ['staff_users.id'], ondelete='RESTRICT',
                                name=op.f('fk_bulk_uploads_confirmed_by_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_uploads')),
        sa.UniqueConstraint('kind', 'sha256', name=op.f('uq_bulk_uploads_kind_sha256')),
    )
    op.create_table(
        'bulk_rows',
        sa.Column('id', big, nullable=False),
        sa.Column('upload_id', big, nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('member_id', big, nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('problem', sa.String(length=40), nullable=True),
        sa.Column('result', sa.String(length=16), nullable=False),
        sa.Column('error', sa.String(length=40), nullable=True),
        sa.Column('ref_id', big, nullable=True),
        sa.CheckConstraint(
            "outcome IN ('ok','approval','unknown_member','negative','invalid','duplicate')",
            name=op.f('ck_bulk_rows_outcome')),
        sa.CheckConstraint("result IN ('pending','applied','requested','failed','skipped')",
                           name=op.f('ck_bulk_rows_result')),
        sa.CheckConstraint('line_no > 0', name=op.f('ck_bulk_rows_line_no')),
        sa.ForeignKeyConstraint(['upload_id'], ['bulk_uploads.id'], ondelete='RESTRICT',
                                name=op.f('fk_bulk_rows_upload_id_bulk_uploads')),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='RESTRICT',
                                name=op.f('fk_bulk_rows_member_id_members')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_rows')),
        sa.UniqueConstraint('upload_id', 'line_no', name=op.f('uq_bulk_rows_upload_id_line_no')),
    )
    op.create_index('ix_bulk_rows_pending', 'bulk_rows', ['upload_id', 'result', 'line_no'])


def downgrade():
    op.drop_table('bulk_rows')
    op.drop_table('bulk_uploads')
