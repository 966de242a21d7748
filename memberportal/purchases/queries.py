"""Reading purchases (staff)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select, true

from memberportal.core.clock import local_date
from memberportal.extensions import db
from memberportal.members.errors import MemberCodeExpired
from memberportal.members.models import Member
from memberportal.members.queries import MemberCode
from memberportal.points.errors import UnknownMember
from memberportal.points.models import ProgramRules
from memberportal.points.services import DEFAULT_RULES
from memberportal.purchases.models import Purchase
from memberportal.purchases.rules import best_discount
from memberportal.tiers.models import Tier
from memberportal.tiers.rules import Rung

members = Member.__table__
rules_table = ProgramRules.__table__
tiers = Tier.__table__
RULE_COLUMNS = tuple(rules_table.c[name] for name in DEFAULT_RULES)
LADDER_COLUMNS = tuple(
    tiers.c[name].label(f"t_{name}")
    for name in ("id", "code", "rank", "name_zh", "name_en", "growth_threshold",
                 "points_multiplier_pct", "retired_at")
)  # fmt: skip


def purchases_for_member(member_id: int, limit: int = 50) -> list[Purchase]:
    return list(
        db.session.scalars(
            select(Purchase)
            .where(Purchase.member_id == member_id)
            .order_by(Purchase.id.desc())
            .limit(limit)
        )
    )


def purchase_by_id(purchase_id: int) -> Purchase | None:
    return db.session.get(Purchase, purchase_id)


def purchase_by_ref(source: str, order_ref: str) -> Purchase | None:
    """The purchase a reporting system recorded under its own order reference."""
    return db.session.scalars(
        select(Purchase).where(Purchase.source == source, Purchase.order_ref == order_ref)
    ).first()


def discount_now(member_id: int, now: datetime) -> tuple[str | None, int]:
    """The discount the till gives this member at `now`: (kind, basis points), the better of
    the paid card's (the plan's or the tier's card discount, while the card is active) and
    the member day's (on the brand-local member day); (None, 0) when neither applies. The
    till's bill, its checkout and the API's member lookup all read it here."""
    from memberportal.memberships.queries import active_benefits
    from memberportal.points.services import member_day_today, program_rules

    card = active_benefits(member_id, now)
    offers = [("paid_card", card.discount_bps if card else 0)]
    if member_day_today(local_date(now)):
        offers.append(("member_day", program_rules().member_day_discount_bps))
    return best_discount(offers)


@dataclass(frozen=True)
class PurchaseContext:
    """Everything a purchase is planned from, read in one query (purchase_context)."""

    member_id: int
    member_no: str
    tier_id: int
    birthday: date | None
    rules: object  # points.models.ProgramRules, detached (the defaults when never saved)
    ladder: tuple[Rung, ...]  # every tier, retired ones too, lowest rank first
    card_multiplier_pct: int | None  # the paid card's, while one is held now
    tier_benefits_held: bool  # False while a tier tied to the stored balance finds it empty
    reward_held: bool  # a referral reward waits for this member's first purchase

    @property
    def tier(self) -> Rung:
        return next(rung for rung in self.ladder if rung.id == self.tier_id)

    def rung(self, tier_id: int) -> Rung:
        return next(rung for rung in self.ladder if rung.id == tier_id)


def purchase_context(
    *, now: datetime, member_id: int | None = None, code: MemberCode | None = None
) -> PurchaseContext:
    """The member (by id, or by what a cashier scanned or typed), the program rules, the tier
    ladder, the paid card's multiplier, whether the tier's benefits are held and whether a
    referral reward waits: one query, a row per tier. Raises UnknownMember, MemberCodeExpired
    (a rotating code no longer current). Read without a lock: the purchase writes the member's
    counters relative to the row it then locks."""
    from memberportal.memberships.queries import card_multiplier_params
    from memberportal.points.services import rules_from_row

    params = card_multiplier_params(now)
    if code is not None:
        query, params = _context_query(code.shape), {**params, **code.params}
    else:
        query, params = _context_query("id"), {**params, "member_id": member_id}
    rows = db.session.execute(query, params).all()
    if not rows:
        raise UnknownMember()
    first = rows[0]
    if code is not None:
        found = code.check(first.member_no, first.card_code, now)
        if found.expired:
            raise MemberCodeExpired()
    return PurchaseContext(
        first.id, first.member_no, first.tier_id, first.birthday,
        rules_from_row(first._mapping), tuple(_rung(row) for row in rows),
        first.card_multiplier_pct, bool(first.tier_held), bool(first.reward_held),
    )  # fmt: skip


@functools.cache
def _context_query(shape: str):
    """purchase_context's query for a member named by id or by a code of this shape, built
    once (building it costs more than running it); the values come as parameters."""
    from memberportal.memberships.queries import card_multiplier
    from memberportal.referrals.queries import reward_held_for
    from memberportal.wallet.queries import tier_benefits_held_clause

    member = select(
        members.c.id,
        members.c.member_no,
        members.c.card_code,
        members.c.tier_id,
        members.c.birthday,
        card_multiplier(members.c.id).label("card_multiplier_pct"),
        tier_benefits_held_clause(members.c.id, members.c.tier_id).label("tier_held"),
        reward_held_for(members.c.id).label("reward_held"),
    )
    if shape == "id":
        member = member.where(members.c.id == bindparam("member_id"))
    else:
        where, order = MemberCode.match(shape)
        member = member.where(where).order_by(*order)
    # One member (its subqueries evaluated once), then the rules and a row per tier.
    member = member.limit(1).subquery("member")
    return (
        select(member, *RULE_COLUMNS, *LADDER_COLUMNS)
        .select_from(member)
        .outerjoin(rules_table, rules_table.c.id == 1)
        .join(tiers, true())
        .order_by(tiers.c.rank)
    )


def _rung(row) -> Rung:
    return Rung(row.t_id, row.t_code, row.t_rank, row.t_name_zh, row.t_name_en,
                row.t_growth_threshold, row.t_points_multiplier_pct, row.t_retired_at)  # fmt: skip
