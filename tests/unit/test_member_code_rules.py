"""The rotating member code: its shape and how long it is accepted, at fixed moments."""

from datetime import UTC, datetime, timedelta

import pytest

from memberportal.members import rules

KEY = b"k" * 32
T0 = datetime(2026, 12, 8, 1, 0, 0, tzinfo=UTC)  # the start of a 30-second step


def code_at(moment, member_no="1234567890", secret="MPSECRET"):
    return rules.rotating_code(KEY, member_no, secret, rules.code_step(moment))


def test_the_code_is_the_member_number_and_eight_digits_grouped_by_four():
    code = code_at(T0)
    assert len(code) == 18 and code.isdigit() and code.startswith("1234567890")
    assert rules.split_rotating_code(code) == "1234567890"
    assert rules.split_rotating_code("1234567890") is None  # a typed member number
    assert rules.split_rotating_code("MP0123456789ABCDEF") is None
    groups = [code[:4], code[4:8], code[8:12], code[12:16], code[16:]]
    assert rules.display_code(code) == " ".join(groups)


@pytest.mark.parametrize(
    ("shown_after", "used_after", "accepted"),
    [
        (0, 0, True),
        (0, 119, True),  # shown at the start of a step: 2 minutes
        (0, 120, False),
        (29, 119, True),  # shown at the end of its step: 90 seconds left
        (29, 120, False),
        (0, -1, False),  # a code of a step that has not begun is never valid
    ],
)
def test_a_code_is_accepted_for_four_steps_of_30_seconds(shown_after, used_after, accepted):
    code = code_at(T0 + timedelta(seconds=shown_after))
    now = T0 + timedelta(seconds=used_after)
    assert rules.code_is_current(KEY, "1234567890", "MPSECRET", code, now) is accepted


def test_the_code_depends_on_the_member_secret_and_key():
    code = code_at(T0)
    assert code != code_at(T0 + timedelta(seconds=30))
    assert not rules.code_is_current(KEY, "1234567890", "OTHER", code, T0)
    assert not rules.code_is_current(b"x" * 32, "1234567890", "MPSECRET", code, T0)
    forged = "1234567890" + code[10:][::-1]
    assert forged == code or not rules.code_is_current(KEY, "1234567890", "MPSECRET", forged, T0)


def test_valid_until_is_the_end_of_the_fourth_step():
    step = rules.code_step(T0 + timedelta(seconds=10))
    assert rules.code_valid_until(step) == T0 + timedelta(seconds=120)
