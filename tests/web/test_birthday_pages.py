"""The profile's birthday set once by the member, corrected by a manager, refused to a cashier."""

from datetime import date

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from memberportal.members.models import Member
from tests import factories
from tests.web.test_accounts import count_members, register

EN = {"Accept-Language": "en"}


def birthday_of(member_id):
    db.session.expire_all()
    return db.session.get(Member, member_id).birthday


def test_registering_without_the_tick_creates_nothing_and_says_why(web):
    refused = register(web, accept=False)
    assert refused.status_code == 422
    assert "请阅读并同意隐私政策和用户协议后再加入" in refused.get_data(as_text=True)
    assert count_members() == 0
    for page, text in (("/privacy", "我们保存哪些信息"), ("/terms", "积分")):
        assert text in web.get(page).get_data(as_text=True)
    assert "What we keep" in web.get("/privacy", headers=EN).get_data(as_text=True)


def test_the_member_sets_the_birthday_once_then_sees_it_read_only(member_web):
    member = member_web.member
    saved = member_web.submit("/profile", {"name": "王五", "birthday": "1990-05-04"})
    assert saved.status_code == 303 and birthday_of(member.id) == date(1990, 5, 4)
    page = member_web.get("/profile", headers=EN).get_data(as_text=True)
    assert 'data-testid="birthday-set"' in page and 'name="birthday"' not in page
    # A crafted post cannot change it: the set day is kept.
    again = member_web.submit("/profile", {"name": "王五", "birthday": "1990-12-01"})
    assert again.status_code == 303 and birthday_of(member.id) == date(1990, 5, 4)


def test_a_future_birthday_is_refused_with_a_message(member_web):
    refused = member_web.submit("/profile", {"name": "王五", "birthday": "2999-01-01"})
    assert refused.status_code == 422
    assert "不能晚于今天" in refused.get_data(as_text=True)
    assert birthday_of(member_web.member.id) is None


def test_a_manager_corrects_it_with_a_reason_and_a_cashier_may_not(manager_web, cashier_web):
    member = factories.member()
    url, page = f"/merchant/members/{member.id}/birthday", f"/merchant/members/{member.id}"
    assert 'data-testid="birthday-correction"' not in cashier_web.get(page).get_data(as_text=True)
    assert cashier_web.submit(url, {"birthday": "1990-01-01", "reason": "x"},
                              page=page).status_code == 403  # fmt: skip
    no_reason = manager_web.submit(url, {"birthday": "1990-01-01", "reason": ""}, page=page)
    assert no_reason.status_code == 422 and birthday_of(member.id) is None
    done = manager_web.submit(url, {"birthday": "1990-01-01", "reason": "ID card"}, page=page)
    assert done.status_code == 303 and birthday_of(member.id) == date(1990, 1, 1)
    row = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "member.birthday_corrected")
    ).one()
    assert row.details["new"] == "1990-01-01" and row.reason == "ID card"
