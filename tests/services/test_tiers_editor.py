"""The owner's tiers editor: the ladder stays one increasing line, in the domain layer and in
the database; threshold changes and retirements move members through the periodic job."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from memberportal.audit.models import AuditEntry
from memberportal.core.actors import SYSTEM
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from memberportal.members import services as member_services
from memberportal.members.models import Member
from memberportal.tiers import editor
from memberportal.tiers.models import Tier, TierChange
from memberportal.tiers.queries import all_tiers, entry_tier, program_open
from memberportal.tiers.services import add_growth, reevaluate
from tests import factories


def ladder() -> list[tuple[str, int, int, bool]]:
    db.session.expire_all()
    return [
        (t.code, t.rank, t.growth_threshold, t.retired)
        for t in db.session.scalars(select(Tier).order_by(Tier.rank))
    ]


def new_tier(**overrides):
    values = dict(
        code="VIP25", name_zh="二点五", name_en="Silver Plus", growth_threshold=300,
        points_multiplier_pct=110, paid_discount_bps=800, colour="#8899aa",
    )  # fmt: skip
    values.update(overrides)
    return editor.create_tier(actor=SYSTEM, now=utcnow(), **values)


def spend(member, amount):
    add_growth(
        member.id, amount, kind="spend", cause="purchase", source_type=None, source_id=None,
        actor=SYSTEM, now=utcnow(),
    )  # fmt: skip
    db.session.commit()


def test_a_new_tier_takes_its_place_by_threshold_and_ranks_follow():
    tier = new_tier()
    assert tier.rank == 3
    assert ladder() == [
        ("VIP1", 1, 0, False), ("VIP2", 2, 150, False), ("VIP25", 3, 300, False),
        ("VIP3", 4, 500, False), ("VIP4", 5, 1000, False),
    ]  # fmt: skip
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "tier.created")).one()
    assert entry.details["after"]["growth_threshold"] == 300
    assert entry.details["after"]["paid_discount_bps"] == 800


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"growth_threshold": 500}, "growth_threshold"),  # VIP3's threshold
        ({"growth_threshold": 0}, "growth_threshold"),  # a second entry tier
        ({"code": "VIP2"}, "code"),
        ({"code": "bad code!"}, "code"),
        ({"colour": "red"}, "colour"),
        ({"points_multiplier_pct": 90}, "points_multiplier_pct"),
        ({"paid_discount_bps": 10001}, "paid_discount_bps"),
        ({"name_en": ""}, "name_en"),
    ],
)
def test_a_tier_the_ladder_does_not_allow_is_refused_and_nothing_changes(overrides, field):
    before = ladder()
    with pytest.raises(editor.TierRuleBroken) as error:
        new_tier(**overrides)
    assert error.value.field == field
    assert ladder() == before
    assert (
        db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "tier.created")) is None
    )


def test_the_entry_tier_stays_at_zero_and_cannot_be_retired():
    vip1 = factories.tier("VIP1")
    with pytest.raises(editor.TierRuleBroken):
        editor.update_tier(vip1.id, actor=SYSTEM, now=utcnow(), growth_threshold=10)
    with pytest.raises(editor.TierRuleBroken):
        editor.retire_tier(vip1.id, actor=SYSTEM, now=utcnow())
    assert ladder()[0] == ("VIP1", 1, 0, False)


def test_the_first_tier_of_a_fresh_install_must_start_at_zero():
    db.session.execute(delete(Tier))
    db.session.commit()
    assert not program_open()
    with pytest.raises(editor.TierRuleBroken):
        new_tier(code="BASIC", growth_threshold=100)
    new_tier(code="BASIC", growth_threshold=0)
    assert program_open() and entry_tier().code == "BASIC"


def test_an_edit_that_moves_a_tier_past_its_neighbour_renumbers_the_ladder():
    vip2 = factories.tier("VIP2")
    editor.update_tier(vip2.id, actor=SYSTEM, now=utcnow(), growth_threshold=700)
    assert [row[:3] for row in ladder()] == [
        ("VIP1", 1, 0), ("VIP3", 2, 500), ("VIP2", 3, 700), ("VIP4", 4, 1000)
    ]  # fmt: skip
    change = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "tier.updated")).one()
    assert change.details == {
        "before": {"growth_threshold": 150},
        "after": {"growth_threshold": 700},
    }


def test_the_database_refuses_two_active_tiers_at_one_threshold():
    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(Tier.__table__).values(
                code="DUP", rank=9, name_zh="重", name_en="Dup", growth_threshold=150,
                points_multiplier_pct=100, paid_discount_bps=0, benefits_zh="", benefits_en="",
                colour="#000000",
            )
        )  # fmt: skip
    db.session.rollback()


def test_lowering_a_threshold_moves_members_up_at_once_raising_it_waits_for_the_period():
    member = factories.member()
    spend(member, 400)
    assert db.session.get(Member, member.id).tier.code == "VIP2"
    vip3 = factories.tier("VIP3")
    _tier, moves = editor.update_tier(vip3.id, actor=SYSTEM, now=utcnow(), growth_threshold=400)
    assert moves
    assert reevaluate(utcnow(), actor=SYSTEM)["moved"] == 1
    db.session.expire_all()
    assert db.session.get(Member, member.id).tier.code == "VIP3"

    # Raised again above the member's growth: they keep VIP3 until their period ends.
    editor.update_tier(vip3.id, actor=SYSTEM, now=utcnow(), growth_threshold=450)
    editor.update_tier(vip3.id, actor=SYSTEM, now=utcnow(), growth_threshold=480)
    reevaluate(utcnow(), actor=SYSTEM)
    db.session.expire_all()
    assert db.session.get(Member, member.id).tier.code == "VIP3"
    # A year and a day later, with no new growth, the period ended: down to what is reached.
    later = utcnow() + timedelta(days=367)
    reevaluate(later, actor=SYSTEM)
    db.session.expire_all()
    assert db.session.get(Member, member.id).tier.code == "VIP1"


def test_a_retired_tier_keeps_its_history_and_its_members_move_to_what_they_reach():
    member = factories.member()
    spend(member, 200)
    vip2 = factories.tier("VIP2")
    assert db.session.get(Member, member.id).tier_id == vip2.id
    with pytest.raises(editor.TierInUse):
        editor.delete_tier(vip2.id, actor=SYSTEM)
    editor.retire_tier(vip2.id, actor=SYSTEM, now=utcnow())
    assert reevaluate(utcnow(), actor=SYSTEM)["moved"] == 1
    db.session.expire_all()
    assert db.session.get(Member, member.id).tier.code == "VIP1"
    assert [t.code for t in all_tiers()] == ["VIP1", "VIP3", "VIP4"]
    assert db.session.get(Tier, vip2.id).retired
    moves = db.session.scalars(select(TierChange).where(TierChange.member_id == member.id)).all()
    assert [(m.from_tier_id, m.to_tier_id) for m in moves][-1] == (
        vip2.id, factories.tier("VIP1").id
    )  # fmt: skip
    # A new member never starts on a retired tier; growth never reaches one.
    spend(member, 100)  # 300 in all: VIP2's 150 would have been reached
    assert db.session.get(Member, member.id).tier.code == "VIP1"


def test_a_tier_no_one_held_can_be_deleted():
    tier = new_tier()
    editor.delete_tier(tier.id, actor=SYSTEM)
    assert [row[0] for row in ladder()] == ["VIP1", "VIP2", "VIP3", "VIP4"]
    assert [row[1] for row in ladder()] == [1, 2, 3, 4]


def test_registration_before_the_program_has_a_tier_is_refused():
    db.session.execute(delete(Tier))
    db.session.commit()
    with pytest.raises(member_services.ProgramNotOpen):
        factories.member()
    assert db.session.scalar(select(Member.id)) is None
