"""notifications: the coupon and stored-value categories

Revision ID: notifications_0003
Revises: 0003_join_session
Create Date: 2026-12-08 01:45:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'notifications_0003'
down_revision = '0003_join_session'
branch_labels = None
depends_on = None

OLD = "category IN ('points','tier','mall','membership')"
NEW = "category IN ('points','tier','mall','membership','coupon','wallet')"
TABLES = ('notification_events', 'notification_choices')


def _replace(check: str) -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_category'), type_='check')
            batch_op.create_check_constraint('category', check)


def upgrade():
    _replace(NEW)


def downgrade():
    # Events and choices of the new categories cannot stay under the old rule.
    new = "SELECT id FROM notification_events WHERE category IN ('coupon','wallet')"
    op.execute("DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM "
               f"notification_deliveries WHERE event_id IN ({new}))")
    for table in ('notifications', 'notification_deliveries'):
        op.execute(f"DELETE FROM {table} WHERE event_id IN ({new})")
    for table in TABLES:
        op.execute(f"DELETE FROM {table} WHERE category IN ('coupon','wallet')")
    _replace(OLD)
