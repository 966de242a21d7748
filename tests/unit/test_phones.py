"""One mobile number, one canonical form, whatever the spelling."""

import importlib

import pytest

from memberportal.accounts.rules import (
    InvalidContact,
    canonical_phone,
    display_phone,
    mask_contact,
    normalise_contact,
)

SPELLINGS = ["13800000001", "+86 138 0000 0001", "+8613800000001", "138-0000-0001",
             "(138) 0000 0001"]  # fmt: skip


@pytest.mark.parametrize("text", SPELLINGS)
def test_every_spelling_is_one_number(text):
    assert canonical_phone(text, "CN") == "+8613800000001"
    assert normalise_contact(text, "CN") == ("+8613800000001", None)


@pytest.mark.parametrize("text", ["021 6123 4567", "1380000", "12345", "138000000012", "abc",
                                  "13800000001abc", "+86 138 0000 000x"])  # fmt: skip
def test_landlines_short_long_and_letters_are_refused(text):
    assert canonical_phone(text, "CN") is None
    with pytest.raises(InvalidContact):
        normalise_contact(text, "CN")


def test_a_mobile_of_another_country_keeps_its_code():
    assert canonical_phone("+44 7911 123456", "CN") == "+447911123456"
    assert canonical_phone("07911 123456", "GB") == "+447911123456"
    assert display_phone("+447911123456", "CN") == "+44 7911 123456"


def test_display_and_mask_read_like_the_number_people_know():
    assert display_phone("+8613800000001", "CN") == "138 0000 0001"
    assert mask_contact("+8613800000001", None).startswith("138")
    assert mask_contact("+8613800000001", None).endswith("0001")


def test_the_migration_rewrites_spellings_and_refuses_to_merge_two_members():
    migration = importlib.import_module(
        "memberportal.migrations.versions.members_0002_canonical_phones"
    )
    rows = [(1, "M1", "13800000001"), (2, "M2", "+8613900000002"), (3, "M3", "139 0000 0003")]
    assert migration.canonical_rows(rows, "CN") == {1: "+8613800000001", 3: "+8613900000003"}
    with pytest.raises(RuntimeError, match="M1 and M4"):
        migration.canonical_rows([*rows, (4, "M4", "+86 138-0000-0001")], "CN")
