"""The owner sees what a rule or tier change would have done before saving it."""

from __future__ import annotations

import re
from datetime import timedelta

from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.points.services import program_rules
from memberportal.purchases import services as purchases
from tests import factories

EN = {"Accept-Language": "en"}
TILL = SystemActor(audit_label="test till")
FORM = {
    "rate_pct": "300", "expiry_policy": "rolling", "expiry_months": "12",
    "clearing_month": "12", "clearing_day": "31", "clearing_years_after": "1",
    "interaction_cap_pct": "40", "qualification_months": "12", "member_day": "",
    "member_day_multiplier_pct": "200", "sign_in_growth": "5", "profile_growth": "20",
    "review_growth": "10", "referral_points": "100", "share_growth": "10",
    "approval_threshold_points": "1000", "member_day_weekday": "",
    "member_day_discount_bps": "0", "birthday_multiplier_pct": "100", "sign_in_points": "5",
    "streak_bonus_days": "7", "streak_bonus_points": "20", "streak_bonus_growth": "10",
    "referral_welcome_points": "50", "referral_monthly_cap": "10",
    "referral_hold_until_purchase": "y",
}  # fmt: skip


def cell(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


def test_the_rules_page_previews_before_it_saves(owner_web):
    member = factories.member()
    purchases.record_purchase(member.id, 100_00, "P-1", source="till", actor=TILL,
                              now=utcnow() - timedelta(days=3))  # fmt: skip
    purchases.record_purchase(
        member.id, 50_00, "P-2", source="till", actor=TILL, now=utcnow() - timedelta(days=120)
    )  # fmt: skip outside the window
    page = owner_web.get("/merchant/points/rules").get_data(as_text=True)
    assert 'data-testid="preview-rules"' in page and 'data-testid="save-rules"' not in page

    shown = owner_web.submit(
        "/merchant/points/rules?preview=1", FORM, page="/merchant/points/rules", headers=EN
    )
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert cell(html, "preview-issued") == "100"
    assert cell(html, "preview-would").startswith("300 (+200)")
    assert 'data-testid="save-rules"' in html
    assert program_rules().rate_pct == 100  # nothing saved yet

    assert owner_web.submit("/merchant/points/rules", FORM).status_code == 303
    db.session.info.pop("program_rules", None)
    db.session.expire_all()
    assert program_rules().rate_pct == 300


def test_a_bad_value_is_refused_without_a_preview(owner_web):
    response = owner_web.submit(
        "/merchant/points/rules?preview=1", {**FORM, "rate_pct": "0"},
        page="/merchant/points/rules",
    )  # fmt: skip
    assert response.status_code == 422
    assert 'data-testid="rule-preview"' not in response.get_data(as_text=True)


def test_the_tier_form_previews_members_per_tier(owner_web):
    member = factories.member()
    purchases.record_purchase(member.id, 120_00, "P-1", source="till", actor=TILL,
                              now=utcnow() - timedelta(days=3))  # fmt: skip
    vip2 = factories.tier("VIP2")
    form = {"code": "VIP2", "name_zh": vip2.name_zh, "name_en": vip2.name_en,
            "growth_threshold": "100", "points_multiplier_pct": "100",
            "paid_discount_pct": "5", "benefits_zh": "", "benefits_en": "",
            "colour": vip2.colour}  # fmt: skip
    html = owner_web.submit(
        f"/merchant/tiers/{vip2.id}/edit?preview=1", form, page=f"/merchant/tiers/{vip2.id}/edit"
    ).get_data(as_text=True)
    assert cell(html, "preview-tier-VIP2") == "1" and cell(html, "preview-tier-VIP1") == "0"
    assert factories.tier("VIP2").growth_threshold == 150
