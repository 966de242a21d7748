"""Data rights: the export holds exactly the member's rows; closing erases the person and keeps
the books."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from memberportal.audit.models import AuditEntry
from memberportal.claims import receipts
from memberportal.claims import services as claims
from memberportal.claims.models import Claim
from memberportal.core.clock import utcnow
from memberportal.coupons.models import Coupon
from memberportal.extensions import db
from memberportal.mall.models import Order
from memberportal.members.models import Member
from memberportal.points.models import LedgerEntry
from memberportal.points.queries import ledger_mismatches
from memberportal.privacy import services as privacy
from memberportal.privacy.errors import (
    ClosureNotConfirmed,
    OrdersStillOpen,
    PaidCardStillRunning,
    WrongPassword,
)
from memberportal.purchases.models import Purchase
from memberportal.purchases.services import record_purchase
from memberportal.referrals.services import record_referral
from memberportal.reviews.models import Review
from memberportal.reviews.services import review_purchase
from memberportal.tiers import interactions
from tests import coupon_helpers, factories, mall_helpers
from tests.points_helpers import ACTOR


def busy_member(contact: str, name: str) -> Member:
    """A member with a bit of everything: purchases, check-in, coupon, mall order, claim,
    review, a friend they referred."""
    now = utcnow()
    m = factories.member(contact=contact, name=name)
    bought = record_purchase(m.id, 15_000, f"P-{contact}", source="till", actor=ACTOR, now=now)
    review_purchase(m.id, bought.purchase_id, 5, "Great coffee, friendly staff", actor=m, now=now)
    interactions.sign_in(m.id, actor=m, now=now)
    coupon_helpers.tier_coupons()
    from memberportal.coupons.services import issue_coupons

    issue_coupons(m.id, now)
    item = factories.mall_item(points_price=20, stock=5)
    order = mall_helpers.redeem(m.id, item.id)
    from memberportal.mall import fulfilment

    fulfilment.hand_over(order.pickup_code, actor=ACTOR, now=now)
    claims.submit_claim(
        m.id, store="静安店", purchased_on=now.date() - timedelta(days=1), amount_cents=990,
        receipt=factories.png(), actor=m, now=now,
    )  # fmt: skip
    record_referral(m.member_no, factories.member().id, actor=ACTOR, now=now)
    db.session.expire_all()
    return db.session.get(Member, m.id)


def unzip(archive: bytes) -> tuple[dict, dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        data = json.loads(z.read("data.json"))
        csvs = {n: z.read(n).decode("utf-8-sig") for n in z.namelist() if n.endswith(".csv")}
    return data, csvs


def test_the_export_holds_the_members_rows_and_nobody_elses():
    m = busy_member("13855550001", "王芳")
    other = busy_member("13855550002", "李雷")
    data, csvs = unzip(privacy.export_data(m.id, actor=m, now=utcnow()))

    profile = data["profile"][0]
    assert (profile["name"], profile["phone"], profile["member_no"]) == (
        "王芳", "+8613855550001", m.member_no,
    )  # fmt: skip
    assert profile["points_balance"] == m.points_balance and profile["tier"] == "VIP2"
    assert "password_hash" not in profile and "card_code" not in profile

    def ids(model, column):
        return sorted(db.session.scalars(select(model.id).where(column == m.id)))

    assert sorted(e["id"] for e in data["ledger"]) == ids(LedgerEntry, LedgerEntry.member_id)
    assert sum(e["points"] for e in data["ledger"]) == m.points_balance
    assert [p["amount_cents"] for p in data["purchases"]] == [15_000]
    assert sorted(c["code"] for c in data["coupons"]) == sorted(
        db.session.scalars(select(Coupon.code).where(Coupon.member_id == m.id))
    )
    assert [o["id"] for o in data["mall_orders"]] == ids(Order, Order.member_id)
    assert [c["store"] for c in data["points_claims"]] == ["静安店"]
    assert [r["text"] for r in data["reviews"]] == ["Great coffee, friendly staff"]
    assert [s["streak"] for s in data["sign_ins"]] == [1]
    assert [r["referrer_id"] for r in data["referrals"]] == [m.id]
    assert data["memberships"] == [] and data["membership_payments"] == []
    # Nothing of the other member.
    text = json.dumps(data, ensure_ascii=False)
    assert other.member_no not in text and "李雷" not in text
    # The CSVs carry the same rows (a header plus one line per row).
    assert set(csvs) == {f"{name}.csv" for name in data}
    for name, rows in data.items():
        assert csvs[f"{name}.csv"].count("\n") == len(rows) + 1, name
    assert "王芳" in csvs["profile.csv"]
    audit = db.session.scalars(
        select(AuditEntry.subject_id).where(AuditEntry.action == "member.data_exported")
    ).all()
    assert audit == [m.id]


def test_closing_erases_the_person_keeps_the_books_and_frees_the_phone():
    m = busy_member("13855550003", "王芳")
    photo = db.session.scalar(select(Claim.receipt).where(Claim.member_id == m.id))
    assert (receipts.receipt_dir() / photo).exists()
    with pytest.raises(ClosureNotConfirmed):
        privacy.close_account(m.id, factories.PASSWORD, confirmed=False, actor=m, now=utcnow())
    with pytest.raises(WrongPassword):
        privacy.close_account(m.id, "not-the-password", confirmed=True, actor=m, now=utcnow())
    forfeited = m.points_balance
    assert forfeited > 0

    photos = privacy.close_account(m.id, factories.PASSWORD, confirmed=True, actor=m, now=utcnow())
    privacy.delete_unused_receipts(photos)

    db.session.expire_all()
    row = db.session.get(Member, m.id)
    assert (row.name, row.phone, row.email, row.birthday) == ("", None, None, None)
    assert row.closed_at is not None and not row.is_active_member
    assert row.points_balance == 0 and row.session_version == 1
    assert not (receipts.receipt_dir() / photo).exists()
    claim = db.session.scalars(select(Claim).where(Claim.member_id == m.id)).one()
    assert (claim.note, claim.receipt, claim.status) == (None, None, "rejected")
    assert db.session.scalar(select(func.count(Review.id))) == 0
    # The books: purchases and the whole ledger stay, and still balance.
    assert db.session.scalar(select(func.count(Purchase.id)).where(Purchase.member_id == m.id))
    last = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.member_id == m.id).order_by(LedgerEntry.id.desc())
    ).first()
    assert (last.kind, last.points) == ("account_closed", -forfeited)
    assert ledger_mismatches() == []
    closed = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "member.account_closed")
    ).one()
    assert closed.subject_id == m.id and closed.details["member_no"] == m.member_no
    # The phone may join again, as a new member.
    again = factories.member(contact="13855550003", name="王芳")
    assert again.id != m.id and again.points_balance == 0


def test_closing_waits_for_a_running_paid_card_and_open_mall_orders():
    now = utcnow()
    m = mall_helpers.rich_member(500, contact="13855550004")
    card = coupon_helpers.paid_card(m.id, now - timedelta(days=3), now + timedelta(days=300))
    with pytest.raises(PaidCardStillRunning):
        privacy.close_account(m.id, factories.PASSWORD, confirmed=True, actor=m, now=now)
    coupon_helpers.set_card(card, status="ended", ended_at=now)
    item = factories.mall_item(points_price=100, stock=5)
    mall_helpers.redeem(m.id, item.id)
    with pytest.raises(OrdersStillOpen):
        privacy.close_account(m.id, factories.PASSWORD, confirmed=True, actor=m, now=now)
    db.session.expire_all()
    assert db.session.get(Member, m.id).closed_at is None
    assert db.session.get(Member, m.id).phone == "+8613855550004"
