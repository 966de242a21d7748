"""Paid-card benefits on the member card, and the full price for a returning member."""

import re

from sqlalchemy import select, update

from memberportal.extensions import db
from memberportal.memberships.models import BillingRecord, Membership
from tests.web.test_memberships import join_and_pay, svip  # noqa: F401 (fixture)

EN = {"Accept-Language": "en"}


def end_membership(status: str) -> None:
    db.session.execute(update(Membership).values(status=status))
    db.session.commit()


def test_the_card_lists_the_paid_benefits_until_the_card_is_revoked(member_web, svip):  # noqa: F811
    before = member_web.get("/card", headers=EN).get_data(as_text=True)
    assert 'data-testid="paid-benefits"' not in before
    join_and_pay(member_web)
    card = member_web.get("/card", headers=EN).get_data(as_text=True)
    assert "SVIP paid membership benefits" in card
    assert 'data-testid="paid-multiplier">1.5× points on purchases<' in card
    assert 'data-testid="paid-discount">5% off your purchases<' in card
    zh = member_web.get("/card").get_data(as_text=True)
    assert "SVIP 付费会员" in zh and "on purchases" not in zh
    end_membership("revoked")
    after = member_web.get("/card", headers=EN).get_data(as_text=True)
    assert 'data-testid="paid-benefits"' not in after and "1.5×" not in after


def test_a_returning_member_sees_and_pays_the_full_price(member_web, svip):  # noqa: F811
    first = member_web.get("/membership/", headers=EN).get_data(as_text=True)
    assert "CN¥99.00" in first
    join_and_pay(member_web)
    end_membership("ended")
    page = member_web.get("/membership/", headers=EN).get_data(as_text=True)
    price = re.search(r'class="plan-price">(.*?)</p>', page, re.S).group(1)
    assert "CN¥199.00" in price and "CN¥99.00" not in price
    joined = member_web.submit("/membership/join/SVIP", page="/membership/")
    assert joined.status_code == 303
    checkout = member_web.get(joined.location, headers=EN).get_data(as_text=True)
    assert 'data-testid="due-today">CN¥199.00<' in checkout
    session_id = joined.location.rsplit("/", 1)[1]
    paid = member_web.submit(f"/membership/demo-checkout/{session_id}/pay", page=joined.location)
    assert paid.status_code == 303
    amounts = db.session.scalars(select(BillingRecord.amount_cents).order_by(BillingRecord.id))
    assert list(amounts) == [9900, 19900]
