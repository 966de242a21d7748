"""Pooled connections are checked before use only after sitting idle (core.db.ping_after_idle)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from memberportal.core import db as core_db
from memberportal.extensions import db


class Clock:
    def __init__(self):
        self.now = time.monotonic()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(core_db.time, "monotonic", clock)
    return clock


@pytest.fixture
def engine(test_config):
    engine = create_engine(test_config["SQLALCHEMY_DATABASE_URI"], pool_size=1, max_overflow=0)
    core_db.ping_after_idle(engine, 5)
    yield engine
    engine.dispose()


def count_pings(monkeypatch, engine) -> list:
    pings = []
    real = engine.dialect.do_ping

    def ping(dbapi_connection):
        pings.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    return pings


def select_one(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar()


def test_a_connection_just_handed_back_is_used_without_a_ping(engine, clock, monkeypatch):
    pings = count_pings(monkeypatch, engine)
    select_one(engine)  # a new connection: no ping
    clock.now += 4.9
    select_one(engine)
    assert pings == []
    clock.now += 5
    select_one(engine)
    assert len(pings) == 1  # idle for 5 seconds: checked first


def test_a_connection_that_died_while_idle_is_replaced_before_use(engine, clock):
    with engine.connect() as conn:
        first = conn.connection.dbapi_connection
        if engine.dialect.name == "postgresql":
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    # The server (a restart, an idle timeout) drops the connection while it sits in the pool.
    if engine.dialect.name == "postgresql":
        other = create_engine(engine.url)
        with other.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.dispose()
    else:
        first.close()
    clock.now += 60
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.connection.dbapi_connection is not first


def test_the_apps_engine_pings_idle_connections_only(make_app, clock, monkeypatch):
    app = make_app()  # its own pool, used by this test alone
    with app.app_context():
        pings = count_pings(monkeypatch, db.engine)
    client = app.test_client()
    client.get("/healthz")
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    assert pings == []
    clock.now += app.config["DB_PING_AFTER_IDLE_SECONDS"] + 1
    assert client.get("/healthz").status_code == 200
    assert len(pings) == 1
