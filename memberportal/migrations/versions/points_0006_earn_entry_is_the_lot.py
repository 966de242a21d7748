"""points: the earn entry is its lot; point_lots goes (a credit writes one row, not two)

Every credit wrote a `point_lots` row and an `earn` entry naming it. The lot's state moves
onto its earn entry: `remaining`, `expired_batch`, `expired_points` (NULL on every other entry,
CHECKed). The lot's amount is the entry's points + debt_points and its earned_at the entry's
`at` (the ledger wrote both with the same values). Allocations and `expire` entries name the
earn entry instead of the lot (an expiry's source_id too, source_type 'lot'); earn entries
name no lot, so the index on lot_id becomes partial (expiries only). An earning that only
repaid a debt had no lot: it becomes a lot of 0 (remaining 0), which nothing draws or expires.

Upgrade refuses, before it changes anything, a lot without exactly one earn entry of the same
member, a lot whose amount is not its entry's points + debt_points, and an earning without a
lot that did not repay all of its points. Downgrade recreates point_lots from the earn entries
(each lot keeps its earn entry's id) and points allocations and entries back at them.

On SQLite the copies of point_entries and point_allocations (batch mode) need foreign keys
unenforced; env.py turns them off for the run and checks every key afterwards.

Revision ID: points_0006
Revises: purchases_0004
Create Date: 2026-12-09 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'points_0006'
down_revision = 'purchases_0004'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
OPEN = sa.text('remaining > 0')
NAMES_LOT = sa.text('lot_id IS NOT NULL')
CLOSED_BY_RUN = sa.text('expired_batch IS NOT NULL')
CHECKS = {
    'lot_state_on_earn':
        "(entry_type = 'earn' AND remaining IS NOT NULL AND expired_points IS NOT NULL"
        " AND expires_at IS NOT NULL)"
        " OR (entry_type <> 'earn' AND remaining IS NULL AND expired_points IS NULL"
        " AND expired_batch IS NULL)",
    'remaining_range':
        'remaining IS NULL OR (remaining >= 0 AND remaining <= points + debt_points)',
    'expired_range':
        'expired_points IS NULL'
        ' OR (expired_points >= 0 AND expired_points <= points + debt_points)',
    'lot_named_by_expiry': "lot_id IS NULL OR entry_type = 'expire'",
}
# Old rows the new shape cannot hold: (what is wrong, a query for up to 5 of them).
REFUSED = (
    ('lots without exactly one earn entry of their member',
     "SELECT l.id FROM point_lots l WHERE (SELECT count(*) FROM point_entries e"
     " WHERE e.lot_id = l.id AND e.entry_type = 'earn' AND e.member_id = l.member_id) <> 1"),
    ('lots whose amount is not their earn entry\'s points + debt_points',
     "SELECT l.id FROM point_lots l JOIN point_entries e ON e.lot_id = l.id"
     " WHERE e.entry_type = 'earn' AND l.amount <> e.points + e.debt_points"),
    ('earn entries without a lot that did not repay all of their points',
     "SELECT id FROM point_entries WHERE entry_type = 'earn' AND lot_id IS NULL"
     " AND points + debt_points <> 0"),
)


def _refuse_what_cannot_move() -> None:
    bind = op.get_bind()
    for what, query in REFUSED:
        ids = bind.exec_driver_sql(f'{query} ORDER BY 1 LIMIT 5').scalars().all()
        if ids:
            raise RuntimeError(f'points_0006: {what}: {ids}; fix them, then upgrade again')


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    _refuse_what_cannot_move()
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remaining', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('expired_batch', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('expired_points', sa.Integer(), nullable=True))
    if not sqlite:
        # The ids written below are entry ids, not lot ids. (SQLite does not enforce the old
        # keys during the run; its table copies at the end leave them out.)
        op.drop_constraint('fk_point_entries_lot_id_point_lots', 'point_entries',
                           type_='foreignkey')
        op.drop_constraint('fk_point_allocations_lot_id_point_lots', 'point_allocations',
                           type_='foreignkey')
    _move_rows()
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        if sqlite:
            batch_op.drop_constraint('fk_point_entries_lot_id_point_lots', type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_point_entries_lot_id_point_entries'),
                                    'point_entries', ['lot_id'], ['id'], ondelete='RESTRICT')
        for name, check in CHECKS.items():
            batch_op.create_check_constraint(name, check)
        batch_op.create_index('ix_point_entries_member_open', ['member_id', 'expires_at', 'id'],
                              unique=False, postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index('ix_point_entries_due', ['expires_at'], unique=False,
                              postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index('ix_point_entries_expired_batch', ['expired_batch'], unique=False,
                              postgresql_where=CLOSED_BY_RUN, sqlite_where=CLOSED_BY_RUN)
        # Only expiries name a lot now: earnings and their UPDATEs stay out of this index.
        batch_op.drop_index('ix_point_entries_lot')
        batch_op.create_index('ix_point_entries_lot', ['lot_id'], unique=False,
                              postgresql_where=NAMES_LOT, sqlite_where=NAMES_LOT)
    with op.batch_alter_table('point_allocations', schema=None) as batch_op:
        if sqlite:
            batch_op.drop_constraint('fk_point_allocations_lot_id_point_lots',
                                     type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_point_allocations_lot_id_point_entries'),
                                    'point_entries', ['lot_id'], ['id'], ondelete='RESTRICT')
    op.drop_table('point_lots')


def _move_rows() -> None:
    """Each lot's state onto its earn entry; lot ids to earn entry ids; earn entries name no
    lot. UPDATE ... FROM runs on PostgreSQL and SQLite (3.33+)."""
    op.execute(
        'UPDATE point_entries SET remaining = l.remaining, expired_points = l.expired_points,'
        ' expired_batch = l.expired_batch, expires_at = l.expires_at FROM point_lots l'
        " WHERE l.id = point_entries.lot_id AND point_entries.entry_type = 'earn'"
    )
    op.execute(
        'UPDATE point_entries SET remaining = 0, expired_points = 0'
        " WHERE entry_type = 'earn' AND lot_id IS NULL"
    )
    op.execute(
        'UPDATE point_entries SET lot_id = e.id, source_id = CASE'
        " WHEN point_entries.source_type = 'lot' THEN e.id ELSE point_entries.source_id END"
        " FROM point_entries e WHERE e.entry_type = 'earn' AND e.lot_id = point_entries.lot_id"
        " AND point_entries.entry_type <> 'earn'"
    )
    # Through negative ids: UNIQUE (entry_id, lot_id) is checked row by row on both engines,
    # and a spend's new lot id may be the old id of another lot it drew from.
    op.execute(
        'UPDATE point_allocations SET lot_id = -e.id FROM point_entries e'
        " WHERE e.entry_type = 'earn' AND e.lot_id = point_allocations.lot_id"
    )
    op.execute('UPDATE point_allocations SET lot_id = -lot_id WHERE lot_id < 0')
    op.execute("UPDATE point_entries SET lot_id = NULL WHERE entry_type = 'earn'")


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.create_table('point_lots',
    sa.Column('id', ID, nullable=False),
    sa.Column('member_id', ID, nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.Column('earned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expired_batch', sa.String(length=32), nullable=True),
    sa.Column('expired_points', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_point_lots_amount_positive')),
    sa.CheckConstraint('expired_points >= 0 AND expired_points <= amount', name=op.f('ck_point_lots_expired_range')),
    sa.CheckConstraint('remaining >= 0 AND remaining <= amount', name=op.f('ck_point_lots_remaining_range')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_point_lots_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_lots'))
    )
    with op.batch_alter_table('point_lots', schema=None) as batch_op:
        batch_op.create_index('ix_point_lots_due', ['expires_at'], unique=False, postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index(batch_op.f('ix_point_lots_expired_batch'), ['expired_batch'], unique=False)
        batch_op.create_index('ix_point_lots_member_open', ['member_id', 'expires_at', 'id'], unique=False)
    # Each lot keeps its earn entry's id, so allocations and expiries keep their numbers.
    op.execute(
        'INSERT INTO point_lots (id, member_id, amount, remaining, earned_at, expires_at,'
        ' expired_batch, expired_points) SELECT id, member_id, points + debt_points,'
        ' remaining, at, expires_at, expired_batch, expired_points FROM point_entries'
        " WHERE entry_type = 'earn' AND points + debt_points > 0"
    )
    if not sqlite:
        op.execute("SELECT setval(pg_get_serial_sequence('point_lots', 'id'),"
                    ' (SELECT coalesce(max(id), 0) + 1 FROM point_lots), false)')
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_point_entries_lot_id_point_entries'),
                                 type_='foreignkey')
        for name in CHECKS:
            batch_op.drop_constraint(batch_op.f(f'ck_point_entries_{name}'), type_='check')
        batch_op.drop_index('ix_point_entries_expired_batch', postgresql_where=CLOSED_BY_RUN,
                            sqlite_where=CLOSED_BY_RUN)
        batch_op.drop_index('ix_point_entries_due', postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.drop_index('ix_point_entries_member_open', postgresql_where=OPEN,
                            sqlite_where=OPEN)
        batch_op.drop_index('ix_point_entries_lot', postgresql_where=NAMES_LOT,
                            sqlite_where=NAMES_LOT)
        batch_op.create_index('ix_point_entries_lot', ['lot_id'], unique=False)
        batch_op.drop_column('expired_points')
        batch_op.drop_column('expired_batch')
        batch_op.drop_column('remaining')
        batch_op.create_foreign_key(batch_op.f('fk_point_entries_lot_id_point_lots'),
                                    'point_lots', ['lot_id'], ['id'], ondelete='RESTRICT')
    op.execute(
        "UPDATE point_entries SET lot_id = id WHERE entry_type = 'earn'"
        ' AND id IN (SELECT id FROM point_lots)'
    )
    with op.batch_alter_table('point_allocations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_point_allocations_lot_id_point_entries'),
                                 type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_point_allocations_lot_id_point_lots'),
                                    'point_lots', ['lot_id'], ['id'], ondelete='RESTRICT')
