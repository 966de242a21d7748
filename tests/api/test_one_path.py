"""A purchase reported through the API takes the one purchase path: nothing else writes it."""

import pytest
from sqlalchemy import text

from memberportal.extensions import db


def test_the_fast_paths_abort_function_is_gone(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the function existed only on PostgreSQL")
    found = db.session.scalar(
        text("SELECT count(*) FROM pg_proc WHERE proname = 'take_general_path'")
    )
    assert found == 0


def test_no_module_of_the_api_writes_purchases_by_hand():
    from pathlib import Path

    api = Path(__file__).resolve().parents[2] / "memberportal" / "api"
    for module in api.glob("*.py"):
        source = module.read_text()
        assert "INSERT INTO purchases" not in source, module.name
        assert "point_lots" not in source, module.name
