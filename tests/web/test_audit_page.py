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
    assert f"会员 #{member.id}" in row
    assert f"店长 {manager_web.staff.email}" in row
    row = next(r for r in audit_rows(manager_web, **{"Accept-Language": "en"}) if "goodwill" in r)
    assert ">Points adjusted<" in row and f"Member #{member.id}" in row
    assert f"Manager {manager_web.staff.email}" in row


def test_every_recorded_action_has_words():
    from pathlib import Path

    from memberportal.audit.labels import ACTION_LABELS

    root = Path(__file__).resolve().parents[2] / "memberportal"
    source = "\n".join(p.read_text() for p in root.rglob("*.py"))
    recorded = set(re.findall(r'record\(\s*"([a-z_]+\.[a-z_]+)"', source))
    assert recorded and recorded <= set(ACTION_LABELS), recorded - set(ACTION_LABELS)
