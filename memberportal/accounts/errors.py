"""Account errors: password resets and staff accounts (each carries a translated message)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from memberportal.core.errors import DomainError, NotFound


class ResetUnknown(NotFound):
    code = "reset_unknown"
    default_message = _l("This reset link is not valid. Ask a cashier at any store for a new one.")


class ResetCodeMismatch(DomainError):
    code = "reset_code_mismatch"
    default_message = _l(
        "That code does not match this mobile number or email. Check both, or ask a cashier "
        "for a new code."
    )


class ResetExpired(DomainError):
    code = "reset_expired"
    status = 410
    default_message = _l(
        "This reset has expired: a link or code is valid for 30 minutes. Ask a cashier at any "
        "store for a new one."
    )


class ResetUsed(DomainError):
    code = "reset_used"
    status = 410
    default_message = _l(
        "This reset has already been used. Sign in with your new password, or ask a cashier "
        "for a new reset."
    )


class ResetVoided(DomainError):
    code = "reset_voided"
    status = 410
    default_message = _l(
        "This reset was cancelled: a newer one was issued or the password was changed. Use the "
        "latest link or code, or ask a cashier for a new one."
    )


class MemberClosed(DomainError):
    code = "member_closed"
    status = 409
    default_message = _l("This member account is closed.")


class WrongPassword(DomainError):
    code = "wrong_password"
    default_message = _l("That is not your current password.")


class PasswordChangedMeanwhile(DomainError):
    code = "password_changed_meanwhile"
    status = 409
    default_message = _l("Your password was just changed in another session. Sign in again.")


PROBLEMS: dict[str, type[DomainError]] = {
    "expired": ResetExpired,
    "used": ResetUsed,
    "voided": ResetVoided,
}


class StaffNotFound(NotFound):
    code = "staff_not_found"
    default_message = _l("There is no such staff account.")


class StaffDeactivated(DomainError):
    code = "staff_deactivated"
    status = 403
    default_message = _l("This staff account has been deactivated. Ask the owner to reactivate it.")


class LastOwner(DomainError):
    code = "last_owner"
    status = 409
    default_message = _l(
        "This is the only active owner: make another staff member an owner first, so someone "
        "can still manage the shop."
    )


class NotAnOwner(DomainError):
    code = "not_an_owner"
    status = 403
    default_message = _l("Only an active owner can manage staff accounts.")


class AlreadyInRole(DomainError):
    code = "already_in_role"
    status = 409
    default_message = _l("This staff member already has that role.")


class AlreadyDeactivated(DomainError):
    code = "already_deactivated"
    status = 409
    default_message = _l("This staff account is already deactivated.")


class AlreadyActive(DomainError):
    code = "already_active"
    status = 409
    default_message = _l("This staff account is already active.")


class StaffChangedMeanwhile(DomainError):
    code = "staff_changed_meanwhile"
    status = 409
    default_message = _l("Someone changed this staff account just now. Check it and try again.")
