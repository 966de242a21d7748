"""Missing-points claims: sent with a receipt, approved once through the normal purchase path,
or rejected with a reason."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from memberportal.audit.models import AuditEntry
from memberportal.claims import services
from memberportal.claims.errors import (
    AlreadyClaimed,
    ClaimAlreadyDecided,
    ClaimDayInFuture,
    ClaimTooOld,
    ReceiptRequired,
    RejectReasonRequired,
)
from memberportal.claims.models import APPROVED, PENDING, REJECTED, Claim
from memberportal.extensions import db
from memberportal.mall.errors import InvalidImage
from memberportal.members.models import Member
from memberportal.purchases.models import Purchase
from tests import factories
from tests.points_helpers import ACTOR

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 on 10 March in Shanghai
TODAY = date(2026, 3, 10)


def claim(member_id: int, **over):
    values = {
        "store": "静安店", "purchased_on": TODAY - timedelta(days=2), "amount_cents": 12_800,
        "receipt": factories.png(), "actor": ACTOR, "now": NOW,
    }  # fmt: skip
    return services.submit_claim(member_id, **{**values, **over})


def member_row(member_id: int) -> Member:
    db.session.expire_all()
    return db.session.get(Member, member_id)


def test_an_approved_claim_records_the_purchase_once_and_earns_its_points():
    m = factories.member()
    sent = claim(m.id)
    assert sent.status == PENDING and sent.receipt.endswith(".png")
    staff = factories.staff("cashier")
    result = services.approve_claim(sent.id, actor=staff, now=NOW + timedelta(hours=1))
    assert (result.points_earned, result.growth_earned) == (128, 128)
    purchase = db.session.get(Purchase, result.purchase_id)
    assert (purchase.source, purchase.order_ref, purchase.amount_cents, purchase.store) == (
        "claim", f"claim-{sent.id}", 12_800, "静安店",
    )  # fmt: skip
    row = db.session.get(Claim, sent.id)
    db.session.refresh(row)
    assert (row.status, row.purchase_id, row.decided_by) == (
        APPROVED, purchase.id, staff.audit_label,
    )  # fmt: skip
    assert member_row(m.id).points_balance == 128
    with pytest.raises(ClaimAlreadyDecided):
        services.approve_claim(sent.id, actor=staff, now=NOW + timedelta(hours=2))
    with pytest.raises(ClaimAlreadyDecided):
        services.reject_claim(sent.id, "too late", actor=staff, now=NOW)
    assert db.session.scalar(select(func.count(Purchase.id))) == 1
    assert member_row(m.id).points_balance == 128
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["claim.submitted", "purchase.recorded", "claim.approved"]


def test_a_rejection_needs_a_reason_and_earns_nothing():
    m = factories.member()
    sent = claim(m.id)
    staff = factories.staff("manager")
    with pytest.raises(RejectReasonRequired):
        services.reject_claim(sent.id, "  ", actor=staff, now=NOW)
    services.reject_claim(sent.id, "Receipt is from another brand", actor=staff, now=NOW)
    db.session.expire_all()
    row = db.session.get(Claim, sent.id)
    assert (row.status, row.reject_reason, row.purchase_id) == (
        REJECTED, "Receipt is from another brand", None,
    )  # fmt: skip
    assert member_row(m.id).points_balance == 0
    assert db.session.scalar(select(func.count(Purchase.id))) == 0
    # A rejected purchase may be claimed again, with a better photo.
    assert claim(m.id).status == PENDING


@pytest.mark.parametrize(
    ("over", "error"),
    [
        ({"purchased_on": TODAY + timedelta(days=1)}, ClaimDayInFuture),
        ({"purchased_on": TODAY - timedelta(days=31)}, ClaimTooOld),
        ({"receipt": None}, ReceiptRequired),
        ({"receipt": b"not an image at all"}, InvalidImage),
    ],
)
def test_bad_claims_are_refused_and_change_nothing(over, error):
    m = factories.member()
    with pytest.raises(error):
        claim(m.id, **over)
    assert db.session.scalar(select(func.count(Claim.id))) == 0


def test_the_thirtieth_day_back_may_still_be_claimed():
    m = factories.member()
    assert claim(m.id, purchased_on=TODAY - timedelta(days=30)).status == PENDING


def test_the_same_purchase_cannot_be_claimed_twice_while_open():
    m = factories.member()
    claim(m.id)
    with pytest.raises(AlreadyClaimed):
        claim(m.id)
    assert db.session.scalar(select(func.count(Claim.id))) == 1
    claim(m.id, amount_cents=12_801)  # another purchase
    assert db.session.scalar(select(func.count(Claim.id))) == 2
