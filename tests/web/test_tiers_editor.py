"""The tiers editor in the merchant backend, and the "not open yet" page of a fresh install."""

import html

from sqlalchemy import delete, func, select

from memberportal.extensions import db
from memberportal.members.models import Member
from memberportal.tiers.models import Tier
from tests import factories
from tests.conftest import Browser

EN = {"Accept-Language": "en"}
FORM = {
    "code": "VIP25", "name_zh": "银卡加", "name_en": "Silver Plus", "growth_threshold": "300",
    "points_multiplier_pct": "110", "paid_discount_pct": "8", "benefits_zh": "", "benefits_en": "",
    "colour": "#8899aa",
}  # fmt: skip


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_owner_adds_a_tier_and_sees_it_in_the_ladder(owner_web):
    response = owner_web.submit("/merchant/tiers/new", FORM)
    assert response.status_code == 303
    page = text(owner_web.get("/merchant/tiers/", headers=EN))
    codes = [line.split('"')[0] for line in page.split('data-tier-code="')[1:]]
    assert codes == ["VIP1", "VIP2", "VIP25", "VIP3", "VIP4"]
    tier = db.session.scalars(select(Tier).where(Tier.code == "VIP25")).one()
    assert (tier.rank, tier.paid_discount_bps, tier.colour) == (3, 800, "#8899aa")


def test_a_threshold_taken_is_a_clear_message_and_changes_nothing(owner_web):
    response = owner_web.submit(
        "/merchant/tiers/new", {**FORM, "growth_threshold": "500"}, headers=EN
    )
    assert response.status_code == 422
    assert "Another active tier already has this threshold." in text(response)
    assert db.session.scalar(select(func.count()).select_from(Tier)) == 4


def test_lowering_a_threshold_in_the_editor_moves_members_at_once(owner_web):
    member = factories.member()
    from memberportal.core.actors import SYSTEM
    from memberportal.core.clock import utcnow
    from memberportal.tiers.services import add_growth

    add_growth(member.id, 300, kind="spend", cause="purchase", source_type=None, source_id=None,
               actor=SYSTEM, now=utcnow())  # fmt: skip
    db.session.commit()
    vip3 = factories.tier("VIP3")
    form = {
        **FORM, "code": "VIP3", "name_zh": vip3.name_zh, "name_en": vip3.name_en,
        "growth_threshold": "300", "points_multiplier_pct": "100", "paid_discount_pct": "15",
    }  # fmt: skip
    response = owner_web.submit(f"/merchant/tiers/{vip3.id}/edit", form, headers=EN)
    assert response.status_code == 303
    flashed = text(owner_web.get("/merchant/tiers/", headers=EN))
    assert "Tier saved; 1 members changed tier." in flashed
    db.session.expire_all()
    assert db.session.get(Member, member.id).tier.code == "VIP3"
    assert db.session.get(Tier, vip3.id).paid_discount_bps == 1500


def test_retire_instead_of_delete_when_a_tier_has_members(owner_web):
    vip1 = factories.tier("VIP1")
    factories.member()
    page = text(owner_web.get("/merchant/tiers/"))
    assert f"/merchant/tiers/{vip1.id}/delete" not in page  # it has a member
    response = owner_web.submit(
        f"/merchant/tiers/{vip1.id}/delete", page="/merchant/tiers/", headers=EN
    )
    assert response.status_code == 303
    assert "retire it instead" in text(owner_web.get("/merchant/tiers/", headers=EN))
    assert db.session.get(Tier, vip1.id) is not None


def test_only_the_owner_edits_tiers(manager_web, cashier_web):
    for browser in (manager_web, cashier_web):
        assert browser.get("/merchant/tiers/").status_code == 403
        assert browser.client.post("/merchant/tiers/new", data=FORM).status_code in (400, 403)


def test_a_fresh_install_shows_not_open_yet_instead_of_an_error(client):
    db.session.execute(delete(Tier))
    db.session.commit()
    web = Browser(client)
    page = client.get("/register", headers=EN)
    assert page.status_code == 503
    assert "Our member program opens soon" in text(page)
    form = {"name": "A", "contact": "13800000009", "password": "Correct-Horse-42",
            "confirm": "Correct-Horse-42", "accept": "y"}  # fmt: skip
    posted = web.submit("/register", form, page="/login", headers=EN)
    assert posted.status_code == 503
    assert db.session.scalar(select(Member.id)) is None
    assert web.get("/").status_code == 200
