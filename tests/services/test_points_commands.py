"""The scheduled commands, run as the scheduler would."""

from datetime import timedelta

import time_machine
from sqlalchemy import update

from memberportal.extensions import db
from memberportal.members.models import Member
from tests import factories
from tests.points_helpers import T0, earn, state


def test_expire_command_with_frozen_time(app):
    m = factories.member()
    earn(m.id, 40, days=30)
    earn(m.id, 60, days=90)
    runner = app.test_cli_runner()
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        first = runner.invoke(args=["points", "expire"])
        again = runner.invoke(args=["points", "expire"])
    assert "Expired 1 lots." in first.output and "Expired 0 lots." in again.output
    assert state(m.id)["balance"] == 60
    assert runner.invoke(args=["points", "verify"]).exit_code == 0


def test_verify_exits_non_zero_on_a_mismatch(app):
    m = factories.member()
    earn(m.id, 10)
    db.session.execute(update(Member).where(Member.id == m.id).values(points_balance=11))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["points", "verify"])
    assert result.exit_code == 1
    assert f"member {m.id}: balance 11" in result.output


def test_tiers_reevaluate_command(app):
    result = app.test_cli_runner().invoke(args=["tiers", "reevaluate"])
    assert result.exit_code == 0 and "members moved" in result.output
