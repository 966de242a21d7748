"""Password reset rules: tokens and codes, their stored forms, expiry at 30 minutes."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from memberportal.accounts import rules

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_codes_are_eight_characters_from_an_alphabet_without_lookalikes():
    codes = {rules.new_reset_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 8 and set(code) <= set(rules.CODE_ALPHABET) for code in codes)
    assert not set("0O1IL") & set(rules.CODE_ALPHABET)
    assert len(rules.CODE_ALPHABET) == 31


def test_tokens_are_long_random_and_stored_as_sha256():
    token = rules.new_reset_token()
    assert len(token) >= 43 and token != rules.new_reset_token()
    stored = rules.hash_reset_token(token)
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored


def test_a_code_hash_is_keyed_and_bound_to_its_member():
    code = "ABCD2345"
    stored = rules.hash_reset_code(code, 7, "key-one")
    assert len(stored) == 64 and code not in stored
    assert stored == rules.hash_reset_code(code, 7, "key-one")
    assert stored != rules.hash_reset_code(code, 8, "key-one")  # another member
    assert stored != rules.hash_reset_code(code, 7, "key-two")  # another secret
    assert stored != hashlib.sha256(code.encode()).hexdigest()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ABCD2345", "ABCD2345"),
        ("abcd-2345", "ABCD2345"),
        (" abcd 2345 ", "ABCD2345"),
        ("ABCD-234", None),  # too short
        ("ABCD23456", None),  # too long
        ("ABCD0345", None),  # 0 is never in a code
        ("ABCDI345", None),  # nor I
        ("", None),
        (None, None),
    ],
)
def test_a_typed_code_is_normalised_or_refused(typed, stored):
    assert rules.normalise_reset_code(typed) == stored


def test_a_code_is_shown_in_two_groups_of_four():
    assert rules.display_reset_code("ABCD2345") == "ABCD-2345"


def test_a_reset_is_valid_for_thirty_minutes():
    assert rules.reset_expires_at(T0) == T0 + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("used", "voided", "after", "problem"),
    [
        (None, None, timedelta(0), None),
        (None, None, timedelta(minutes=29, seconds=59), None),
        (None, None, timedelta(minutes=30), "expired"),
        (None, None, timedelta(hours=5), "expired"),
        (T0, None, timedelta(minutes=1), "used"),
        (T0, None, timedelta(minutes=45), "used"),  # used says more than expired
        (None, T0, timedelta(minutes=1), "voided"),
        (None, T0, timedelta(minutes=45), "voided"),
    ],
)
def test_why_a_reset_can_no_longer_be_used(used, voided, after, problem):
    expires = rules.reset_expires_at(T0)
    found = rules.reset_problem(used_at=used, voided_at=voided, expires_at=expires, now=T0 + after)
    assert found == problem


@pytest.mark.parametrize(
    ("phone", "email", "shown"),
    [
        ("+8613812345678", None, "138****5678"),
        ("+447911123456", None, "+44******3456"),
        (None, "lucy@example.com", "l***@example.com"),
    ],
)
def test_the_account_is_masked(phone, email, shown):
    assert rules.mask_contact(phone, email) == shown
