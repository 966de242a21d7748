"""Fixtures: one app per session on a real database, cleaned between tests.

DATABASE_URL picks the engine (PostgreSQL in CI's second run); unset, a file SQLite database
in a temporary folder is used, so threads in concurrency tests share it as workers would.
"""

from __future__ import annotations

import os
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from memberportal import create_app
from memberportal.core import brand
from memberportal.extensions import db, limiter
from tests import factories


@pytest.fixture(scope="session")
def test_config(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["INSTANCE_PATH"] = str(instance)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'test.sqlite3'}"
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": create_app_url(url),
        "HTMX_SOURCE": "local",
        "PAYMENTS_MODE": "demo",
        "API_USAGE_FLUSH_SECONDS": 0,  # API usage counted at once, for the page under test
    }


@pytest.fixture(scope="session")
def app(test_config):
    """The app that serves requests (test client, live server)."""
    app = create_app(test_config)
    with app.app_context():
        _reset_schema()
        upgrade(directory=app.extensions["migrate"].directory)
    yield app
    dispose(app)


def create_app_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _reset_schema() -> None:
    """Start from an empty database (a PostgreSQL test database may hold an older run)."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    db.engine.dispose()


def clean_tables() -> None:
    tables = [t for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                # A row naming another of its table (an expiry its lot) goes first: SQLite
                # checks ON DELETE RESTRICT row by row, not at the statement's end.
                for key in table.foreign_keys:
                    if key.column.table is table:
                        conn.execute(table.delete().where(key.parent.is_not(None)))
                conn.execute(table.delete())


@pytest.fixture(scope="session")
def data_app(app, test_config):
    """A second app on the same database whose context the test body runs in.

    Flask reuses an already pushed context of the *same* app for requests, which would let
    `g` (the signed-in user, the CSRF token) leak from one request into the next; the test
    body therefore works in this app's context, and every request gets a fresh one.
    """
    data_app = create_app(test_config)
    yield data_app
    dispose(data_app)


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def make_app(test_config):
    """Build another app (other settings, same database) and close its connections after."""
    made = []

    def make(**overrides):
        made.append(create_app({**test_config, **overrides}))
        return made[-1]

    yield make
    for app in made:
        dispose(app)


@pytest.fixture(autouse=True)
def _fresh_data(app, data_app):
    """Every test starts with an empty program plus the reference tiers."""
    with app.app_context():
        clean_tables()
        limiter.reset()
    brand.forget()
    ctx = data_app.app_context()
    ctx.push()
    factories.reference_tiers()
    yield
    db.session.remove()
    ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Browser:
    """A test client that fills forms the way a person does: GET the page, then POST with
    the CSRF token read from it."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def submit(self, url, data=None, *, page=None, **kw):
        html = self.client.get(page or url).get_data(as_text=True)
        payload = {"csrf_token": csrf_from(html), **(data or {})}
        return self.client.post(url, data=payload, **kw)


@pytest.fixture
def web(client):
    return Browser(client)


@pytest.fixture
def member_web(app, web):
    member = factories.member(contact="13900000001", password=factories.PASSWORD)
    web.submit("/login", {"contact": "13900000001", "password": factories.PASSWORD})
    web.member = member
    return web


def staff_web_for(app, role: str) -> Browser:
    staff = factories.staff(role)
    browser = Browser(app.test_client())
    response = browser.submit(
        "/staff/login", {"email": staff.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    browser.staff = staff
    return browser


@pytest.fixture
def cashier_web(app):
    return staff_web_for(app, "cashier")


@pytest.fixture
def manager_web(app):
    return staff_web_for(app, "manager")


@pytest.fixture
def owner_web(app):
    return staff_web_for(app, "owner")
