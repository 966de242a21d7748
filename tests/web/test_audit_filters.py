"""The audit trail: filters, what changed in words, the streamed CSV, sign-ins recorded."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from sqlalchemy import insert, select

from memberportal.audit.models import AuditEntry
from memberportal.extensions import db
from tests import factories

EN = {"Accept-Language": "en"}


def rows(browser, query="", **headers):
    response = browser.get(f"/merchant/audit/?{query}", headers=headers)
    html = response.get_data(as_text=True)
    return re.findall(r'<tr data-testid="audit-row">(.*?)</tr>', html, re.S)


def adjust(browser, member, points, reason):
    return browser.submit(
        f"/merchant/points/member/{member.id}/adjust",
        {"points": str(points), "reason": reason},
        page=f"/merchant/purchases/member/{member.id}",
    )


def entry(at, action="points.adjusted", **values):
    values = {"actor_kind": "system", "actor_label": "system", "subject_type": "member",
              "details": {}, **values}  # fmt: skip
    db.session.execute(insert(AuditEntry.__table__).values(at=at, action=action, **values))
    db.session.commit()


def test_filter_by_member_actor_and_action(app, manager_web, owner_web):
    li, han = factories.member(), factories.member()
    adjust(manager_web, li, 30, "li by manager")
    adjust(owner_web, han, 40, "han by owner")
    adjust(owner_web, li, 50, "li by owner")

    by_member = rows(manager_web, f"member={li.member_no}&action=points.adjusted")
    assert len(by_member) == 2
    assert all(li.member_no in r for r in by_member)
    by_phone = rows(manager_web, f"member={li.phone}&action=points.adjusted")
    assert len(by_phone) == 2

    by_owner = rows(manager_web, f"actor={owner_web.staff.email.upper()}&action=points.adjusted")
    assert sorted(re.search(r"(\w+) by owner", r).group(0) for r in by_owner) == [
        "han by owner", "li by owner",
    ]  # fmt: skip
    both = rows(manager_web, f"actor={owner_web.staff.email}&member={li.member_no}")
    assert len(both) == 1 and "li by owner" in both[0]
    assert rows(manager_web, "member=99999999") == []
    html = manager_web.get("/merchant/audit/?member=99999999").get_data(as_text=True)
    assert 'data-testid="audit-empty"' in html


def test_date_range_is_cut_in_the_brand_time_zone(manager_web):
    # 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai.
    entry(datetime(2026, 3, 1, 16, 30, tzinfo=UTC), reason="just after midnight")
    entry(datetime(2026, 3, 1, 15, 59, tzinfo=UTC), reason="just before midnight")
    second = rows(manager_web, "since=2026-03-02&until=2026-03-02")
    assert len(second) == 1 and "just after midnight" in second[0]
    first = rows(manager_web, "until=2026-03-01")
    assert len(first) == 1 and "just before midnight" in first[0]
    assert len(rows(manager_web, "since=2026-03-01&until=2026-03-02")) == 2


def test_a_reversed_range_is_refused_and_filters_nothing(manager_web):
    entry(datetime(2026, 3, 1, 8, tzinfo=UTC), reason="kept")
    response = manager_web.get("/merchant/audit/?since=2026-03-05&until=2026-03-01")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "最后一天早于第一天" in html and "kept" in html


def test_each_row_says_what_changed_in_both_languages(manager_web):
    entry(
        datetime(2026, 3, 1, 8, tzinfo=UTC), action="tier.updated", subject_type="tier",
        subject_id=2, details={"before": {"points_multiplier_pct": 100, "colour": "#aaa"},
                               "after": {"points_multiplier_pct": 150, "colour": "#aaa"}},
    )  # fmt: skip
    entry(
        datetime(2026, 3, 1, 9, tzinfo=UTC), action="staff.role_changed", subject_type="staff",
        subject_id=3, details={"email": "x@example.com", "old_role": "cashier",
                               "new_role": "manager"},
    )  # fmt: skip
    entry(
        datetime(2026, 3, 1, 10, tzinfo=UTC), action="plan.updated", subject_type="plan",
        subject_id=1, details={"price_cents": [19900, 16800]},
    )  # fmt: skip
    entry(
        datetime(2026, 3, 1, 11, tzinfo=UTC), action="points.rules_changed",
        subject_type="program_rules", subject_id=1,
        details={"before": {"expiry_policy": "rolling"}, "after": {"expiry_policy": "yearly"}},
    )  # fmt: skip
    zh = " ".join(rows(manager_web))
    assert "积分倍率（%）: 100 → 150" in zh
    assert "卡面颜色" not in zh  # unchanged fields are not listed
    assert "角色: 收银员 → 店长" in zh
    assert "价格: ¥199.00 → ¥168.00" in zh
    en = " ".join(rows(manager_web, **EN))
    assert "Points multiplier (%): 100 → 150" in en
    assert "Role: Cashier → Manager" in en
    assert "Expiry: Rolling: N months after the month of earning → Yearly clearing date" in en
    assert re.search(r"Price: (CN)?¥199.00 → (CN)?¥168.00", en)


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_holds_the_filtered_rows_streamed(manager_web, owner_web):
    li, han = factories.member(), factories.member()
    adjust(owner_web, li, 30, "=HYPERLINK(evil)")
    adjust(owner_web, han, 40, "han")
    response = manager_web.get(f"/merchant/audit/export.csv?member={li.member_no}", headers=EN)
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    table = read_csv(response)
    assert table[0] == ["When", "Who", "Action", "Subject", "Member", "Reason", "What changed"]
    body = [r for r in table[1:] if r[2] == "Points adjusted"]
    assert len(body) == 1
    assert body[0][4] == li.member_no
    assert body[0][5] == "'=HYPERLINK(evil)"  # a spreadsheet reads it as text, not a formula
    assert body[0][6] == "Points: +30"
    assert body[0][1] == f"Owner {owner_web.staff.email}"


def test_csv_export_reads_more_rows_than_one_batch(manager_web):
    at = datetime(2026, 3, 1, 8, tzinfo=UTC)
    db.session.execute(
        insert(AuditEntry.__table__),
        [{"at": at, "action": "points.adjusted", "actor_kind": "system", "actor_label": "system",
          "subject_type": "member", "details": {"points": n}} for n in range(1, 2502)],
    )  # fmt: skip
    db.session.commit()
    table = read_csv(manager_web.get("/merchant/audit/export.csv?action=points.adjusted"))
    points = sorted(int(r[6].split("+")[1]) for r in table[1:])
    assert points == list(range(1, 2502))


def audit_rows(action):
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def test_staff_sign_ins_and_failures_are_recorded_alike(app, web):
    staff = factories.staff("cashier")
    web.submit("/staff/login", {"email": "nobody@example.com", "password": "wrong-password-1"})
    web.submit("/staff/login", {"email": staff.email, "password": "wrong-password-1"})
    failures = audit_rows("staff.sign_in_failed")
    assert [f.details["typed"] for f in failures] == ["nobody@example.com", staff.email]
    # The same shape whether or not the account exists: nothing names the account.
    assert {(f.subject_type, f.subject_id, f.actor_kind, tuple(sorted(f.details)))
            for f in failures} == {("staff", None, "system", ("address", "typed"))}  # fmt: skip
    assert not audit_rows("staff.signed_in")
    response = web.submit("/staff/login", {"email": staff.email, "password": factories.PASSWORD})
    assert response.status_code == 303
    [signed_in] = audit_rows("staff.signed_in")
    assert (signed_in.actor_id, signed_in.subject_id) == (staff.id, staff.id)
    assert signed_in.details["address"] == "127.0.0.1"


def test_member_sign_in_failures_are_recorded_and_shown(app, web, manager_web):
    member = factories.member(contact="13900000055")
    web.submit("/login", {"contact": "13900000055", "password": "not-the-password"})
    [failure] = audit_rows("member.sign_in_failed")
    assert failure.details["typed"] == "13900000055" and failure.subject_id is None
    assert "not-the-password" not in str(failure.details)
    page = " ".join(rows(manager_web, "action=member.sign_in_failed", **EN))
    assert "Member sign-in failed" in page and "Visitor (not signed in)" in page
    assert member.id
