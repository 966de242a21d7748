"""Mall rules: why a member cannot redeem, quantities, totals, the order state machine."""

from datetime import UTC, datetime, timedelta

import pytest

from memberportal.mall import images, rules
from memberportal.mall.errors import InvalidImage
from memberportal.mall.rules import ItemFacts, MemberFacts, Reason
from tests.factories import png

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
ITEM = ItemFacts(state="on_sale", stock=5, points_price=100)
RICH = MemberFacts(tier_rank=1, balance=1000)


@pytest.mark.parametrize(
    ("item", "member", "quantity", "expected"),
    [
        (ITEM, RICH, 1, []),
        (ItemFacts("draft", 5, 100), RICH, 1, [Reason.NOT_ON_SALE]),
        (ItemFacts("withdrawn", 5, 100), RICH, 1, [Reason.NOT_ON_SALE]),
        (
            ItemFacts("on_sale", 5, 100, sale_starts_at=NOW + timedelta(hours=1)),
            RICH,
            1,
            [Reason.NOT_YET],
        ),
        (ItemFacts("on_sale", 5, 100, sale_ends_at=NOW), RICH, 1, [Reason.ENDED]),
        (ItemFacts("on_sale", 0, 100), RICH, 1, [Reason.SOLD_OUT]),
        (ITEM, RICH, 6, [Reason.SOLD_OUT]),
        (ItemFacts("on_sale", 5, 100, min_tier_rank=3), RICH, 1, [Reason.TIER_TOO_LOW]),
        (ItemFacts("on_sale", 5, 100, min_tier_rank=3), MemberFacts(3, 1000), 1, []),
        (ItemFacts("on_sale", 5, 100, paid_only=True), RICH, 1, [Reason.PAID_CARD_NEEDED]),
        (ItemFacts("on_sale", 5, 100, paid_only=True), MemberFacts(1, 1000, True), 1, []),
        (
            ItemFacts("on_sale", 5, 100, per_member_limit=2),
            MemberFacts(1, 1000, already_redeemed=2),
            1,
            [Reason.LIMIT_REACHED],
        ),
        (
            ItemFacts("on_sale", 5, 100, per_member_limit=2),
            MemberFacts(1, 1000, already_redeemed=1),
            2,
            [Reason.LIMIT_REACHED],
        ),
        (ITEM, MemberFacts(1, 99), 1, [Reason.NOT_ENOUGH_POINTS]),
        (ITEM, MemberFacts(1, 100), 1, []),
        (ITEM, MemberFacts(1, -50), 1, [Reason.NOT_ENOUGH_POINTS]),
        (
            ItemFacts("on_sale", 0, 100, min_tier_rank=2, paid_only=True),
            MemberFacts(1, 0),
            1,
            [
                Reason.SOLD_OUT,
                Reason.TIER_TOO_LOW,
                Reason.PAID_CARD_NEEDED,
                Reason.NOT_ENOUGH_POINTS,
            ],
        ),
    ],
)
def test_reasons_not_redeemable(item, member, quantity, expected):
    assert rules.reasons_not_redeemable(item, member, NOW, quantity) == expected


@pytest.mark.parametrize(
    ("stock", "limit", "already", "expected"),
    [(5, None, 0, 5), (50, None, 0, 10), (5, 2, 0, 2), (5, 2, 1, 1), (5, 2, 2, 0), (0, 2, 0, 0)],
)
def test_max_quantity(stock, limit, already, expected):
    item = ItemFacts("on_sale", stock, 100, per_member_limit=limit)
    assert rules.max_quantity(item, already) == expected


def test_totals_and_statuses():
    assert rules.totals(250, 990, 3) == (750, 2970)
    with pytest.raises(ValueError):
        rules.totals(250, 0, 0)
    assert rules.first_status("pickup", 0) == "ready_for_pickup"
    assert rules.first_status("shipped", 0) == "placed"
    assert rules.first_status("virtual_code", 0) == "fulfilled"
    assert rules.first_status("pickup", 100) == "awaiting_payment"
    assert [s for s in rules.STATUS_LABELS if rules.can_cancel(s)] == [
        "awaiting_payment",
        "placed",
        "ready_for_pickup",
    ]


def test_images_are_checked_by_content_and_size():
    assert images.check_image(png(120, 80)) == ("png", 120, 80)
    for bad in (
        b"",
        b"GIF89a not really",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        png(10, 10),
        png(5000, 64),
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 10,
    ):
        with pytest.raises(InvalidImage):
            images.check_image(bad)
    assert images.is_image_name("a" * 64 + ".png")
    assert not images.is_image_name("../secret_key")


@pytest.mark.parametrize(
    ("name", "phone", "address", "bad"),
    [
        ("李雷", "13800000000", "上海市南京路 1 号", []),
        ("Li Lei", "+86 138-0000-0000", "1 Nanjing Road", []),
        ("", "13800000000", "1 Nanjing Road", ["name"]),
        ("Li", "", "", ["phone", "address"]),
        ("x" * 41, "13800000000", "a" * 200, ["name"]),
        ("Li", "13800000000", "a" * 201, ["address"]),
        ("Li", "1380000000000000000000", "1 Road", ["phone"]),
        ("Li", "call me", "1 Road", ["phone"]),
        ("Li\nLei", "13800000000", "1 Road", ["name"]),
        ("Li", "13800000000", "1 Road\x00", ["address"]),
        ("Li", "13800000000", "1 Road\u2028Floor 2", ["address"]),
        ("Li\x1b[31m", "138\t00000000", "1 Road\x7f", ["name", "phone", "address"]),
    ],
)
def test_shipping_address_problems(name, phone, address, bad):
    shipping = rules.clean_address(name, phone, address)
    assert rules.address_problems(shipping) == bad


def test_a_clean_address_survives_the_round_trip_through_its_column():
    shipping = rules.clean_address("  李雷 ", "13800000000", " 上海市南京路 1 号 ")
    assert shipping == rules.ShippingAddress("李雷", "13800000000", "上海市南京路 1 号")
    assert rules.ShippingAddress.from_text(shipping.as_text()) == shipping
    assert len(shipping.as_text()) <= 500
    assert rules.ShippingAddress.from_text(None) is None
