"""join the lines of bulk points, the purchase path, stored value, notifications, reports,
benefits at purchase and streaks / invites / claims

Revision ID: 0003_join_session
Revises: bulk_0001, api_0004, wallet_0001, notifications_0002, reports_0001, purchases_0003,
    risk_0002
Create Date: 2026-12-08 01:30:00

"""

# revision identifiers, used by Alembic.
revision = '0003_join_session'
down_revision = (
    'bulk_0001', 'api_0004', 'wallet_0001', 'notifications_0002', 'reports_0001',
    'purchases_0003', 'risk_0002',
)
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
