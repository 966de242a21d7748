"""Declarative base, column types, "insert once", and the one place that commits: @use_case."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, ParamSpec, TypeVar

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, mapped_column, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every engine (SQLite keeps no zone itself)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use memberportal.core.clock.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


# Integer primary keys that are 64-bit on PostgreSQL and still ROWID aliases on SQLite.
BigID = BigInteger().with_variant(Integer(), "sqlite")
intpk = Annotated[int, mapped_column(BigID, primary_key=True)]


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite enforces foreign keys only when asked, on every connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection with a round trip before use when it sat unused in the pool
    for `idle_seconds` or more, instead of before every use (pool_pre_ping).

    What drops a connection unnoticed (the server's or a proxy's idle timeout, a restart while
    the app was quiet) happens to connections that sat idle; a connection handed back a moment
    ago by the last request is used at once, saving a round trip on every request under load.
    A ping that finds the server gone invalidates every pooled connection and checks out a new
    one, as pool_pre_ping does; a connection that died within `idle_seconds` of its last use
    fails its request, which invalidates the pool for the next ones.
    """

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, connection_record) -> None:
        connection_record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
        returned = connection_record.info.get("returned_at")  # None: a new connection
        if returned is None or time.monotonic() - returned < idle_seconds:
            return
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError() from error
            raise


def dialect_insert(table):
    """INSERT for the session's engine, with ON CONFLICT (PostgreSQL's or SQLite's): the one
    way areas write "insert unless a UNIQUE key already holds it"."""
    from sqlalchemy.dialects import postgresql, sqlite

    from memberportal.extensions import db

    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def insert_once_statement(
    table, *, values=None, rows=None, columns=None, conflict=None, returning=()
):  # fmt: skip
    """INSERT .. ON CONFLICT [(conflict)] DO NOTHING [RETURNING returning] for the session's
    engine: the one way areas write "insert unless a UNIQUE key already holds it".

    The values are `values` (a dict, or a list of dicts for many rows), or the `columns` of the
    SELECT `rows` (INSERT .. SELECT), or else given as parameters when it is executed: a hot
    path builds it once (building one costs more than running it) and executes it with its
    values. No savepoint is needed, and on PostgreSQL a concurrent insert of the same key waits
    for the other transaction and then does nothing, so exactly one writer inserts; RETURNING
    says which (drivers do not all report rowcount for this statement).
    """
    statement = dialect_insert(table)
    if rows is not None:
        statement = statement.from_select(columns, rows)
    elif values is not None:
        statement = statement.values(values)
    statement = statement.on_conflict_do_nothing(index_elements=conflict)
    return statement.returning(*returning) if returning else statement


def insert_once(target, /, **values) -> bool:
    """Insert a row unless a UNIQUE key (any of the table's) already holds it; True when this
    call inserted it. `target` is a model or a Core table (insert_once_statement)."""
    from memberportal.extensions import db

    table = getattr(target, "__table__", target)
    statement = insert_once_statement(table, values=values, returning=table.primary_key)
    return db.session.execute(statement).first() is not None


P = ParamSpec("P")
R = TypeVar("R")


def use_case(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a service function as one transaction: commit on success, roll back on any error.

    A use case called from inside another joins the outer transaction, so a business
    operation commits exactly once, here, and nowhere else.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from memberportal.extensions import db

        session = db.session()
        if session.info.get("use_case_depth"):
            session.info["use_case_depth"] += 1
            try:
                return fn(*args, **kwargs)
            finally:
                session.info["use_case_depth"] -= 1
        session.info["use_case_depth"] = 1
        try:
            result = fn(*args, **kwargs)
            session.commit()
            return result
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info["use_case_depth"] = 0

    return wrapper
