"""One identity per phone: every spelling of a number registers, signs in and is found once."""

import pytest
from sqlalchemy import exc, func, insert, select

from memberportal.extensions import db
from memberportal.members.models import Member
from tests import factories
from tests.web.test_accounts import register

EN = {"Accept-Language": "en"}


def members() -> int:
    return db.session.scalar(select(func.count(Member.id)))


def test_another_spelling_of_a_registered_number_is_refused(web):
    assert register(web, contact="13900000001").status_code == 303
    web.client.post("/logout", data={"csrf_token": ""})
    for spelling in ("+86 139 0000 0001", "+8613900000001", "139-0000-0001"):
        again = register(web, contact=spelling)
        assert again.status_code == 422, spelling
        assert members() == 1
    assert db.session.scalar(select(Member.phone)) == "+8613900000001"


def test_a_number_that_is_not_a_mobile_is_refused_with_a_message(web):
    for contact in ("021 6123 4567", "1390000", "139000000011"):
        response = register(web, contact=contact)
        assert response.status_code == 422
        assert "请输入有效的手机号码" in response.get_data(as_text=True)
    assert members() == 0


@pytest.mark.parametrize("spelling", ["13900000002", "+86 139 0000 0002", "139-0000-0002"])
def test_any_spelling_signs_in(web, spelling):
    factories.member(contact="+86 139 0000 0002")
    response = web.submit("/login", {"contact": spelling, "password": factories.PASSWORD})
    assert response.status_code == 303 and response.location.endswith("/card")


def test_the_counter_finds_the_member_by_any_spelling_or_the_first_digits(cashier_web):
    member = factories.member(contact="13900000003")
    for spelling in ("13900000003", "+86 139 0000 0003", "139-0000-0003"):
        found = cashier_web.get(f"/merchant/members/?q={spelling}")
        assert found.status_code == 302, spelling
        assert found.location.endswith(f"/members/{member.id}")
    listed = cashier_web.get("/merchant/members/?q=1390000000").get_data(as_text=True)
    assert member.member_no in listed


def test_the_database_refuses_a_second_row_for_one_number():
    first = factories.member(contact="13900000005")
    with pytest.raises(exc.IntegrityError):
        db.session.execute(
            insert(Member).values(
                member_no="9999999999", card_code="X" * 16, name="dup", phone=first.phone,
                password_hash="x", tier_id=first.tier_id, joined_at=first.joined_at,
            )
        )  # fmt: skip
    db.session.rollback()
