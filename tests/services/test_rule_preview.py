"""The rule-change preview: its figures equal what saving the change and replaying the last
90 days of purchases through the real earning path produce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from memberportal.core.actors import SystemActor
from memberportal.core.clock import local_date
from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.points import services as points
from memberportal.points.models import LedgerEntry
from memberportal.purchases import services as purchases
from memberportal.purchases.models import Purchase
from memberportal.tiers import editor
from memberportal.tiers import services as tiers
from memberportal.whatif.queries import preview
from tests import factories

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 on 20 November in Shanghai
TILL = SystemActor(audit_label="test till")


def buy(member, yuan_cents: int, days_ago: float, ref: str):
    return purchases.record_purchase(
        member.id, yuan_cents, ref, source="till", actor=TILL, now=NOW - timedelta(days=days_ago)
    )


def rules_as_dict() -> dict:
    rules = points.program_rules()
    return {field: getattr(rules, field) for field in points.RULE_FIELDS}


class Candidate:
    def __init__(self, **values):
        self.__dict__.update({**rules_as_dict(), **values})


def test_preview_of_rate_member_day_tier_multiplier_and_expiry_equals_the_replay():
    owner = factories.staff("owner")
    li, han = factories.member(), factories.member()
    buy(han, 600_00, 120, "OLD-1")  # before the window: han reaches VIP3 (500)
    window = [(li, 20_00, 80, "W-1"), (li, 30_00, 40.1, "W-2"), (li, 12_34, 2, "W-3"),
              (han, 50_00, 30, "W-4"), (han, 88_88, 10, "W-5")]  # fmt: skip
    for member, cents, days, ref in window:
        buy(member, cents, days, ref)
    member_day = local_date(NOW - timedelta(days=10)).day  # han's W-5 falls on it
    vip3 = factories.tier("VIP3")
    clearing = local_date(NOW + timedelta(days=40))
    candidate = Candidate(
        rate_pct=150, member_day=member_day, member_day_multiplier_pct=300,
        expiry_policy="yearly", clearing_month=clearing.month, clearing_day=clearing.day,
        clearing_years_after=0,
    )  # fmt: skip
    shown = preview(candidate, now=NOW, tiers={vip3.id: (vip3.growth_threshold, 200)})

    # What was: the purchases' own points (1 point per yuan, no multiplier), rolling 12 months.
    assert (shown.purchases, shown.points_issued, shown.expiring_now) == (5, 200, 0)
    # By hand: li 1.5 x (20 + 30 + 12.34) = 93; han at VIP3 now 2x: 1.5 x 2 x 50 = 150, and
    # on the member day 3x: 1.5 x 3 x 88.88 = 399 (floored per purchase).
    assert shown.points_would == 30 + 45 + 18 + 150 + 399

    # Save the change, then replay the window's purchases through the real path.
    points.update_program_rules(actor=owner, now=NOW, **{
        k: getattr(candidate, k) for k in points.RULE_FIELDS})  # fmt: skip
    editor.update_tier(vip3.id, actor=owner, now=NOW, points_multiplier_pct=200)
    replayed = [buy(member, cents, days, "R" + ref) for member, cents, days, ref in window]
    assert sum(r.points_earned for r in replayed) == shown.points_would
    soon = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.points), 0))
        .join(
            Purchase,
            (LedgerEntry.source_type == "purchase")
            & (LedgerEntry.source_id == Purchase.id)
            & (LedgerEntry.entry_type == "earn"),
        )
        .where(Purchase.order_ref.like("RW-%"), LedgerEntry.expires_at <= NOW + timedelta(90))
    )
    assert soon == shown.expiring_would == shown.points_would  # all clear within 40 days
    # The preview after saving sees the replayed purchases too: the originals' figures are
    # the saved rules' now, so "would" for the originals doubles the replayed ones' points.
    again = preview(points.program_rules(), now=NOW)
    assert again.points_would == 2 * shown.points_would


def test_tier_counts_equal_where_the_tiers_job_puts_members_after_saving():
    owner = factories.staff("owner")
    spender, mixed, top = factories.member(), factories.member(), factories.member()
    buy(spender, 120_00, 5, "S-1")
    buy(mixed, 80_00, 5, "M-1")
    tiers.record_interaction(mixed.id, "sign_in", 60, actor=TILL, now=NOW - timedelta(days=4))
    buy(top, 700_00, 5, "T-1")
    vip2 = factories.tier("VIP2")
    shown = preview(Candidate(), now=NOW, tiers={vip2.id: (100, vip2.points_multiplier_pct)})
    counts = {c.tier.code: (c.now, c.would) for c in shown.tiers}
    # mixed counts 80 + min(60, 40% of 100) = 120 >= 100.
    assert counts == {"VIP1": (2, 0), "VIP2": (0, 2), "VIP3": (1, 1), "VIP4": (0, 0)}
    editor.update_tier(vip2.id, actor=owner, now=NOW, growth_threshold=100)
    tiers.reevaluate(NOW, actor=owner)
    db.session.expire_all()
    held = dict(
        db.session.execute(select(Member.tier_id, func.count()).group_by(Member.tier_id)).all()
    )
    assert {c.tier.code: held.get(c.tier.id, 0) for c in shown.tiers} == {
        code: would for code, (_now, would) in counts.items()
    }


def test_a_lower_interaction_cap_is_previewed_without_saving():
    mixed = factories.member()
    buy(mixed, 100_00, 5, "M-1")
    tiers.record_interaction(mixed.id, "sign_in", 60, actor=TILL, now=NOW - timedelta(days=4))
    assert db.session.get(Member, mixed.id).tier.code == "VIP2"  # 100 + min(60, 60) = 160
    shown = preview(Candidate(interaction_cap_pct=20), now=NOW)
    counts = {c.tier.code: (c.now, c.would) for c in shown.tiers}
    assert counts["VIP2"] == (1, 0) and counts["VIP1"] == (0, 1)  # 100 + 30 < 150
    assert points.program_rules().interaction_cap_pct == 40


def test_each_purchase_earns_with_the_tier_held_at_that_time():
    li = factories.member()
    buy(li, 100_00, 60, "EARLY")  # at VIP1 then
    buy(li, 450_00, 30, "UP")  # reaches VIP3 (550 >= 500) with this purchase, earned at VIP1
    buy(li, 100_00, 5, "LATE")  # at VIP3
    vip1, vip3 = factories.tier("VIP1"), factories.tier("VIP3")
    shown = preview(Candidate(), now=NOW, tiers={vip1.id: (0, 100), vip3.id: (500, 300)})
    # EARLY and UP at 1x (VIP1 when they were bought), LATE at 3x.
    assert (shown.points_issued, shown.points_would) == (650, 100 + 450 + 300)
