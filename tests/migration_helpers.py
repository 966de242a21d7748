"""A database of its own for a migration test: a file on SQLite, a schema on PostgreSQL."""

from __future__ import annotations

import os
from contextlib import contextmanager

from flask_migrate import upgrade
from sqlalchemy import text

from memberportal.extensions import db
from tests.conftest import create_app_url


@contextmanager
def app_at(make_app, tmp_path, *, schema: str, revision: str):
    """An app on a database of its own, migrated up to `revision`; dropped after."""
    url = os.environ.get("DATABASE_URL")
    if url:
        with db.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        joiner = "&" if "?" in url else "?"
        app = make_app(
            SQLALCHEMY_DATABASE_URI=create_app_url(url)
            + f"{joiner}options=-csearch_path%3D{schema}"
        )
    else:
        app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision=revision)
    yield app
    if url:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with db.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
