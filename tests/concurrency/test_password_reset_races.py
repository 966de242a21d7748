"""Password reset races: the database, not Python, decides which submission uses a reset and
which of two cashiers' resets stays open."""

import pytest

from memberportal.accounts import passwords
from memberportal.accounts.models import StaffUser
from memberportal.core.clock import utcnow
from memberportal.extensions import db
from tests import factories
from tests.concurrency.test_mall_races import run_threads
from tests.password_helpers import (
    NEW_PASSWORD,
    audit_rows,
    issue,
    member_row,
    open_resets,
    resets_of,
    signs_in,
)

pytestmark = pytest.mark.concurrency
PHONE = "13900000001"


def test_two_tabs_submit_one_link_at_once_and_it_resets_once(app):
    member_id = factories.member(contact=PHONE).id
    token = issue(member_id).token  # plain values: threads must not touch this session
    chosen = ["Lantern-Maple-77", "Harbour-Willow-58"]

    def submit(password):
        def job():
            passwords.reset_with_token(token, password, now=utcnow())

        return job

    outcomes = run_threads(app, [submit(p) for p in chosen])
    assert sorted(outcomes) == ["ResetUsed", "ok"], outcomes
    assert member_row(member_id).session_version == 1
    assert [signs_in(PHONE, p) for p in chosen].count(True) == 1
    assert not signs_in(PHONE, factories.PASSWORD)
    assert len(audit_rows("password_reset.completed")) == 1


def test_the_link_and_the_code_used_at_once_reset_once(app):
    member_id = factories.member(contact=PHONE).id
    issued = issue(member_id)
    token, code = issued.token, issued.code

    def by_link():
        passwords.reset_with_token(token, NEW_PASSWORD, now=utcnow())

    def by_code():
        passwords.reset_with_code(PHONE, code, "Harbour-Willow-58", now=utcnow())

    outcomes = run_threads(app, [by_link, by_code] * 3)
    assert sorted(outcomes) == ["ResetUsed"] * 5 + ["ok"], outcomes
    assert member_row(member_id).session_version == 1
    (reset,) = resets_of(member_id)
    assert reset.used_at is not None


def test_two_cashiers_issue_at_once_and_one_reset_stays_open(app):
    member_id = factories.member(contact=PHONE).id
    staff_ids = [factories.staff("cashier").id for _ in range(4)]

    def issue_as(staff_id):
        def job():
            staff = db.session.get(StaffUser, staff_id)
            passwords.issue_reset(member_id, actor=staff, now=utcnow())

        return job

    outcomes = run_threads(app, [issue_as(s) for s in staff_ids])
    assert outcomes == ["ok"] * 4, outcomes
    assert len(resets_of(member_id)) == 4
    # One after the other: each voided exactly the one before it.
    assert sorted(e.details["voided"] for e in audit_rows("password_reset.issued")) == [0, 1, 1, 1]
    (still_open,) = open_resets(member_id)
    # The open one is the last issued: each issue voided the one before it.
    assert still_open.id == max(r.id for r in resets_of(member_id))
    assert {r.issued_by_id for r in resets_of(member_id)} == set(staff_ids)
