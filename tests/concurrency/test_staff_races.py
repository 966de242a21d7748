"""Owners acting on each other at the same moment: the database, not Python, keeps the shop
with an active owner (on SQLite and on PostgreSQL)."""

import pytest

from memberportal.accounts import staff as staff_accounts
from memberportal.accounts.models import StaffUser
from memberportal.extensions import db
from tests import factories
from tests.concurrency.test_mall_races import run_threads
from tests.password_helpers import audit_rows
from tests.staff_helpers import active_owner_ids, staff_row

pytestmark = pytest.mark.concurrency


def as_owner(actor_id, change, subject_id, *args):
    def job():
        actor = db.session.get(StaffUser, actor_id)
        change(subject_id, *args, actor=actor)

    return job


def demote(actor_id, subject_id):
    return as_owner(actor_id, staff_accounts.change_role, subject_id, "manager")


def deactivate(actor_id, subject_id):
    return as_owner(actor_id, staff_accounts.deactivate, subject_id)


@pytest.mark.parametrize("attempt", range(3))
def test_two_owners_demote_each_other_and_one_owner_remains(app, attempt):
    a, b = factories.staff("owner").id, factories.staff("owner").id
    outcomes = run_threads(app, [demote(a, b), demote(b, a)])
    assert sorted(outcomes) == ["LastOwner", "ok"], outcomes
    (owner,) = active_owner_ids()
    demoted = b if owner == a else a
    assert staff_row(demoted).role == "manager" and staff_row(demoted).session_version == 1
    assert staff_row(owner).session_version == 0
    (entry,) = audit_rows("staff.role_changed")
    assert (entry.actor_id, entry.subject_id) == (owner, demoted)


@pytest.mark.parametrize("attempt", range(3))
def test_two_owners_deactivate_each_other_and_one_owner_remains(app, attempt):
    a, b = factories.staff("owner").id, factories.staff("owner").id
    outcomes = run_threads(app, [deactivate(a, b), deactivate(b, a)])
    assert sorted(outcomes) == ["LastOwner", "ok"], outcomes
    (owner,) = active_owner_ids()
    assert len(audit_rows("staff.deactivated")) == 1


def test_three_owners_each_demote_the_next_and_an_owner_remains(app):
    a, b, c = (factories.staff("owner").id for _ in range(3))
    jobs = [demote(a, b), demote(b, c), demote(c, a), deactivate(a, c), deactivate(b, a)]
    outcomes = run_threads(app, jobs)
    assert outcomes.count("ok") >= 1, outcomes
    assert len(active_owner_ids()) >= 1
    # Each success is one audited change of an account that was an active owner then.
    changes = audit_rows("staff.role_changed") + audit_rows("staff.deactivated")
    assert len(changes) == outcomes.count("ok")
    assert set(outcomes) <= {"ok", "LastOwner", "NotAnOwner", "StaffChangedMeanwhile",
                             "AlreadyDeactivated"}  # fmt: skip
