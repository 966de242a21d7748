"""The owner's changes to staff accounts: deactivate, reactivate, role, password. Each ends
the account's sessions (its session version moves on), the shop keeps an active owner, and
every change is audited with what it was before and after."""

import pytest

from memberportal.accounts import errors
from memberportal.accounts import staff as staff_accounts
from memberportal.accounts.rules import WeakPassword
from memberportal.accounts.services import authenticate_staff
from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.core.errors import ValidationFailed
from tests import factories
from tests.password_helpers import audit_rows
from tests.staff_helpers import NEW_PASSWORD, active_owner_ids, staff_row, staff_signs_in


@pytest.fixture
def owner():
    return factories.staff("owner")


def test_deactivating_ends_sessions_refuses_sign_in_and_audits(owner):
    cashier = factories.staff("cashier")
    staff_accounts.deactivate(cashier.id, actor=owner)
    row = staff_row(cashier.id)
    assert not row.is_enabled and row.session_version == 1
    with pytest.raises(errors.StaffDeactivated):
        authenticate_staff(cashier.email, factories.PASSWORD)
    (entry,) = audit_rows("staff.deactivated")
    assert (entry.actor_kind, entry.actor_id) == ("staff", owner.id)
    assert (entry.subject_type, entry.subject_id) == ("staff", cashier.id)
    assert entry.details == {
        "email": cashier.email, "role": "cashier", "was_active": True, "active": False,
    }  # fmt: skip


def test_deactivating_twice_is_refused_and_writes_nothing_more(owner):
    cashier = factories.staff("cashier")
    staff_accounts.deactivate(cashier.id, actor=owner)
    with pytest.raises(errors.AlreadyDeactivated):
        staff_accounts.deactivate(cashier.id, actor=owner)
    assert staff_row(cashier.id).session_version == 1
    assert len(audit_rows("staff.deactivated")) == 1


def test_reactivating_lets_the_old_password_sign_in_again(owner):
    cashier = factories.staff("cashier")
    staff_accounts.deactivate(cashier.id, actor=owner)
    staff_accounts.reactivate(cashier.id, actor=owner)
    assert staff_row(cashier.id).is_enabled
    assert staff_signs_in(cashier.email, factories.PASSWORD)
    (entry,) = audit_rows("staff.reactivated")
    assert entry.details["was_active"] is False and entry.details["active"] is True
    with pytest.raises(errors.AlreadyActive):
        staff_accounts.reactivate(cashier.id, actor=owner)


def test_changing_a_role_ends_sessions_and_audits_old_and_new(owner):
    cashier = factories.staff("cashier")
    staff_accounts.change_role(cashier.id, "manager", actor=owner)
    row = staff_row(cashier.id)
    assert row.role == "manager" and row.session_version == 1
    (entry,) = audit_rows("staff.role_changed")
    assert entry.subject_id == cashier.id and entry.actor_id == owner.id
    assert (entry.details["old_role"], entry.details["new_role"]) == ("cashier", "manager")


@pytest.mark.parametrize(
    ("role", "error"), [("manager", errors.AlreadyInRole), ("admin", ValidationFailed)]
)
def test_a_role_change_to_the_same_or_an_unknown_role_changes_nothing(owner, role, error):
    manager = factories.staff("manager")
    with pytest.raises(error):
        staff_accounts.change_role(manager.id, role, actor=owner)
    row = staff_row(manager.id)
    assert row.role == "manager" and row.session_version == 0
    assert audit_rows("staff.role_changed") == []


def test_the_last_owner_can_be_neither_demoted_nor_deactivated(owner):
    with pytest.raises(errors.LastOwner):
        staff_accounts.change_role(owner.id, "manager", actor=owner)
    with pytest.raises(errors.LastOwner):
        staff_accounts.deactivate(owner.id, actor=owner)
    row = staff_row(owner.id)
    assert (row.role, row.is_enabled, row.session_version) == ("owner", True, 0)
    assert audit_rows("staff.role_changed") == audit_rows("staff.deactivated") == []


def test_a_deactivated_owner_does_not_count_as_the_other_owner(owner):
    other = factories.staff("owner")
    staff_accounts.deactivate(other.id, actor=owner)
    with pytest.raises(errors.LastOwner):
        staff_accounts.change_role(owner.id, "cashier", actor=owner)
    assert active_owner_ids() == [owner.id]


def test_with_a_second_owner_an_owner_may_step_down(owner):
    other = factories.staff("owner")
    staff_accounts.change_role(owner.id, "manager", actor=owner)
    assert active_owner_ids() == [other.id]
    assert staff_row(owner.id).role == "manager"


def test_an_owner_demoted_meanwhile_can_change_nothing(owner):
    other = factories.staff("owner")
    cashier = factories.staff("cashier")
    staff_accounts.change_role(owner.id, "manager", actor=other)
    # `owner` still holds the role it had when its request started.
    with pytest.raises(errors.NotAnOwner):
        staff_accounts.deactivate(cashier.id, actor=owner)
    assert staff_row(cashier.id).is_enabled


def test_promoting_to_owner_needs_no_other_owner(owner):
    manager = factories.staff("manager")
    staff_accounts.change_role(manager.id, "owner", actor=owner)
    assert active_owner_ids() == [owner.id, manager.id]


def test_resetting_a_password_ends_sessions_and_never_audits_the_password(owner):
    cashier = factories.staff("cashier")
    staff_accounts.reset_password(cashier.id, NEW_PASSWORD, actor=owner)
    assert staff_signs_in(cashier.email, NEW_PASSWORD)
    assert not staff_signs_in(cashier.email, factories.PASSWORD)
    row = staff_row(cashier.id)
    assert row.session_version == 1 and NEW_PASSWORD not in row.password_hash
    (entry,) = audit_rows("staff.password_reset")
    assert entry.subject_id == cashier.id and NEW_PASSWORD not in str(entry.details)


def test_a_weak_password_is_refused_and_the_old_one_still_works(owner):
    cashier = factories.staff("cashier")
    with pytest.raises(WeakPassword):
        staff_accounts.reset_password(cashier.id, "88888888", actor=owner)
    assert staff_signs_in(cashier.email, factories.PASSWORD)
    assert staff_row(cashier.id).session_version == 0
    assert audit_rows("staff.password_reset") == []


def test_an_unknown_account_is_not_found(owner):
    for change in (
        lambda: staff_accounts.deactivate(999, actor=owner),
        lambda: staff_accounts.reactivate(999, actor=owner),
        lambda: staff_accounts.change_role(999, "manager", actor=owner),
        lambda: staff_accounts.reset_password(999, NEW_PASSWORD, actor=owner),
    ):
        with pytest.raises(errors.StaffNotFound):
            change()


def test_the_system_may_act_without_being_an_owner(owner):
    cashier = factories.staff("cashier")
    staff_accounts.deactivate(cashier.id, actor=SystemActor(audit_label="cli"))
    assert not staff_row(cashier.id).is_enabled
    with pytest.raises(errors.LastOwner):
        staff_accounts.deactivate(owner.id, actor=SystemActor(audit_label="cli"))


def test_a_sign_in_is_recorded_only_while_the_account_is_active(owner):
    now = utcnow()
    assert staff_accounts.record_sign_in(owner.id, now=now)
    assert staff_row(owner.id).last_signed_in_at == now
    cashier = factories.staff("cashier")
    staff_accounts.deactivate(cashier.id, actor=owner)
    assert not staff_accounts.record_sign_in(cashier.id, now=now)
    assert staff_row(cashier.id).last_signed_in_at is None
