"""The audit trail reads as words: actions, subjects and roles are labels, codes stay on hover."""

import re

from tests import factories


def audit_rows(browser, **headers):
    html = browser.get("/merchant/audit/", headers=headers).get_data(as_text=True)
    return re.findall(r'<tr data-testid="audit-row">(.*?)</tr>', html, re.S)


def test_audit_trail_shows_labels_not_codes(manager_web):
    member = factories.member()
    manager_web.submit(
        f"/merchant/points/member/{member.id}/adjust",
        {"points": "50", "reason": "goodwill"},
        page=f"/merchant/purchases/member/{member.id}",
    )
    row = next(r for r in audit_rows(manager_web) if "goodwill" in r)
    assert '<td title="points.adjusted">积分调整</td>' in row
    assert f"会员 {member.member_no}" in row and f"#{member.id}" not in row
    assert f"店长 {manager_web.staff.email}" in row
    row = next(r for r in audit_rows(manager_web, **{"Accept-Language": "en"}) if "goodwill" in r)
    assert ">Points adjusted<" in row and f"Member {member.member_no}" in row
    assert f"Manager {manager_web.staff.email}" in row


def test_every_recorded_action_has_words():
    from pathlib import Path

    from memberportal.audit.labels import ACTION_LABELS

    root = Path(__file__).resolve().parents[2] / "memberportal"
    source = "\n".join(p.read_text() for p in root.rglob("*.py"))
    recorded = set(re.findall(r'record\(\s*"([a-z_]+\.[a-z_]+)"', source))
    assert recorded and recorded <= set(ACTION_LABELS), recorded - set(ACTION_LABELS)


def test_system_actors_have_words_in_both_languages(manager_web):
    from memberportal.core.clock import utcnow
    from memberportal.coupons import services as coupons
    from tests.coupon_helpers import template

    member = factories.member()
    template(tier_id=factories.tier("VIP1").id)
    coupons.issue_tier_coupons(member.id, utcnow())
    zh = [r for r in audit_rows(manager_web) if "等级券发放（定时任务）" in r]
    en = audit_rows(manager_web, **{"Accept-Language": "en"})
    assert zh and any("Tier coupons (job)" in r for r in en)
    assert not any(">tier coupons<" in r for r in zh + en)
