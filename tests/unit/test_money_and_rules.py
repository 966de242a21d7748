import pytest

from memberportal.accounts.rules import (
    InvalidContact,
    WeakPassword,
    check_password,
    normalise_contact,
)
from memberportal.core.auth import PERMISSIONS, Role, role_can
from memberportal.core.money import InvalidAmount, parse_cents
from memberportal.members.rules import tier_progress


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12.50", 1250),
        ("12.5", 1250),
        ("0.01", 1),
        ("199", 19900),
        (" 7 ", 700),
        ("1000000", 100000000),
    ],
)
def test_parse_cents_accepts_yuan(text, cents, app):
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text", ["-1", "1.234", "abc", "", "1,5", "0", "0.00", "1e3", None])
def test_parse_cents_rejects_bad_amounts(text, app):
    with pytest.raises(InvalidAmount):
        parse_cents(text)


def test_one_amount_is_at_most_ten_million_yuan(app):
    from memberportal.core.money import MAX_CENTS, AmountTooLarge

    assert parse_cents("10000000") == MAX_CENTS == 1_000_000_000
    for text in ("10000000.01", "999999999.99"):
        with pytest.raises(AmountTooLarge):
            parse_cents(text)


def test_parse_cents_zero_allowed_when_asked(app):
    assert parse_cents("0", allow_zero=True) == 0


@pytest.mark.parametrize(
    ("growth", "current", "nxt", "percent", "remaining"),
    [
        (0, 0, 150, 0, 150),
        (75, 0, 150, 50, 75),
        (150, 150, 500, 0, 350),
        (400, 150, 500, 71, 100),
        (999, 500, 1000, 99, 1),
        (1200, 1000, None, 100, 0),
    ],
)
def test_tier_progress(growth, current, nxt, percent, remaining):
    progress = tier_progress(growth, current, nxt)
    assert (progress.percent, progress.remaining) == (percent, remaining)


@pytest.mark.parametrize(
    "password", ["short1", "password123", "11111111", "aaaabbbb1", "13800001234x"]
)
def test_weak_passwords_are_refused(password, app):
    with pytest.raises(WeakPassword):
        check_password(password, contact="13800001234")


def test_reasonable_password_passes(app):
    check_password("Correct-Horse-42", contact="13800001234")


@pytest.mark.parametrize(
    ("text", "phone", "email"),
    [
        ("138 0000 1234", "+8613800001234", None),
        ("138-0000-1234", "+8613800001234", None),
        ("+8613800001234", "+8613800001234", None),
        ("Lucy@Example.com", None, "lucy@example.com"),
    ],
)
def test_normalise_contact(text, phone, email, app):
    assert normalise_contact(text) == (phone, email)


@pytest.mark.parametrize("text", ["", "12", "not a phone", "a@b"])
def test_normalise_contact_rejects(text, app):
    with pytest.raises(InvalidContact):
        normalise_contact(text)


def test_permission_table_roles():
    assert role_can("cashier", "members.lookup")
    assert not role_can("cashier", "staff.manage")
    assert not role_can("manager", "plans.edit")
    assert all(role_can(Role.OWNER, p) for p in PERMISSIONS)
    assert not role_can(None, "members.lookup")
