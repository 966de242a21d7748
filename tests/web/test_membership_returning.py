"""Paid-card benefits on the member card, and the full price for a returning member."""

from sqlalchemy import update

from memberportal.extensions import db
from memberportal.memberships.models import Membership
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
