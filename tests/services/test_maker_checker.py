"""Maker-checker: a staff adjustment above the threshold waits for a second person; the maker
never approves their own; two approvals at once apply it once; nothing before approval."""

import pytest
from sqlalchemy import func, select

from memberportal.audit.models import AuditEntry
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.points import services
from memberportal.points.models import AdjustmentRequest, LedgerEntry
from memberportal.points.queries import ledger_mismatches
from tests import factories


def balance(member_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
            LedgerEntry.member_id == member_id
        )
    )


def test_a_large_grant_waits_and_reaches_the_ledger_only_when_a_second_person_approves():
    member, maker, checker = (
        factories.member(),
        factories.staff("manager"),
        factories.staff("owner"),
    )
    result = services.adjust_points(
        member.id, 9_000_000, reason="goodwill", actor=maker, now=utcnow()
    )
    assert isinstance(result, AdjustmentRequest) and result.status == "pending"
    assert balance(member.id) == 0
    with pytest.raises(services.NotYourApproval):
        services.approve_adjustment(result.id, actor=maker, now=utcnow())
    assert balance(member.id) == 0
    services.approve_adjustment(result.id, actor=checker, now=utcnow())
    assert balance(member.id) == 9_000_000
    with pytest.raises(services.AlreadyDecided):
        services.approve_adjustment(result.id, actor=factories.staff("manager"), now=utcnow())
    assert balance(member.id) == 9_000_000
    assert ledger_mismatches() == []
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_id == member.id).order_by(AuditEntry.id)
    ).all()
    assert actions[-2:] == ["points.adjustment_requested", "points.adjusted"]


def test_at_the_threshold_a_grant_is_applied_at_once_and_a_rejection_applies_nothing():
    member, maker, checker = (
        factories.member(),
        factories.staff("manager"),
        factories.staff("manager"),
    )
    services.adjust_points(member.id, 1000, reason="small", actor=maker, now=utcnow())
    assert balance(member.id) == 1000
    req = services.adjust_points(member.id, -1001, reason="take", actor=maker, now=utcnow())
    with pytest.raises(services.ReasonRequired):
        services.reject_adjustment(req.id, "", actor=checker, now=utcnow())
    services.reject_adjustment(req.id, "not agreed", actor=checker, now=utcnow())
    assert balance(member.id) == 1000
    db.session.expire_all()
    assert db.session.get(AdjustmentRequest, req.id).status == "rejected"


def test_the_database_refuses_a_maker_checking_their_own_request():
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    member, maker = factories.member(), factories.staff("manager")
    req = services.adjust_points(member.id, 2000, reason="x", actor=maker, now=utcnow())
    table = AdjustmentRequest.__table__
    with pytest.raises(IntegrityError):
        db.session.execute(
            update(table).where(table.c.id == req.id)
            .values(status="approved", checker_id=maker.id, decided_at=utcnow())
        )  # fmt: skip
    db.session.rollback()
