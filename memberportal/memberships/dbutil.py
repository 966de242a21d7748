"""INSERT ... ON CONFLICT DO NOTHING on both engines: the UNIQUE key decides "once"."""

from __future__ import annotations

from memberportal.core.db import dialect_insert
from memberportal.extensions import db


def insert_once(model, **values) -> bool:
    """Insert a row unless a UNIQUE key already holds it; True when this call inserted it.

    No savepoint is needed, and on PostgreSQL a concurrent insert of the same key waits for
    the other transaction and then does nothing, so exactly one caller sees True.
    """
    table = model.__table__
    statement = (
        dialect_insert(table)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*table.primary_key)
    )
    # RETURNING rather than rowcount: drivers do not all report rowcount for this statement.
    return db.session.execute(statement).first() is not None
