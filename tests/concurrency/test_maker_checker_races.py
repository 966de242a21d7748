"""Two checkers approve one request at the same moment: the grant reaches the ledger once."""

import pytest
from sqlalchemy import func, select

from memberportal.accounts.models import StaffUser
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.points import services
from memberportal.points.models import AdjustmentRequest, LedgerEntry
from tests import factories
from tests.concurrency.test_mall_races import run_threads

pytestmark = pytest.mark.concurrency


def approve(request_id, checker_id):
    def job():
        checker = db.session.get(StaffUser, checker_id)
        services.approve_adjustment(request_id, actor=checker, now=utcnow())

    return job


@pytest.mark.parametrize("attempt", range(3))
def test_two_approvals_at_once_apply_the_grant_once(app, attempt):
    member, maker = factories.member(), factories.staff("manager")
    checkers = [factories.staff("manager").id, factories.staff("owner").id]
    req = services.adjust_points(member.id, 5000, reason="race", actor=maker, now=utcnow())
    outcomes = run_threads(app, [approve(req.id, c) for c in checkers])
    assert sorted(outcomes) == ["AlreadyDecided", "ok"], outcomes
    db.session.expire_all()
    total = db.session.scalar(
        select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == member.id)
    )
    assert total == 5000
    decided = db.session.get(AdjustmentRequest, req.id)
    assert decided.status == "approved" and decided.checker_id in checkers
