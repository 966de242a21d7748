"""Who may do what: the one permission table, and the decorators that enforce it."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable

from flask import abort, redirect, request, url_for
from flask_login import current_user


class Role(enum.StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    CASHIER = "cashier"


_ALL = frozenset(Role)
_MANAGERS = frozenset({Role.OWNER, Role.MANAGER})
_OWNER = frozenset({Role.OWNER})

# The single place that decides what each staff role may do. Every merchant view names one
# of these permissions through @role_required; a test walks the URL map to prove it.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "dashboard.view": _ALL,
    "members.lookup": _ALL,
    "members.view": _ALL,
    "members.reset_password": _ALL,
    "members.correct_birthday": _MANAGERS,
    "members.import": _MANAGERS,
    "purchases.record": _ALL,
    "purchases.refund": _ALL,
    "orders.fulfil": _ALL,
    "coupons.write_off": _ALL,
    "coupons.edit": _MANAGERS,
    "points.adjust": _MANAGERS,
    "catalog.edit": _MANAGERS,
    "tiers.edit": _OWNER,
    "program.edit": _OWNER,
    "plans.edit": _OWNER,
    "staff.manage": _OWNER,
    "api_clients.manage": _OWNER,
    "webhooks.manage": _OWNER,
    "payments.view": _OWNER,
    "reports.view": _MANAGERS,
    "reviews.view": _MANAGERS,
    "referrals.view": _MANAGERS,
    "audit.view": _MANAGERS,
    "risk.review": _MANAGERS,
    "risk.rules": _OWNER,
    "claims.decide": _ALL,
    "wallet.spend": _ALL,
    "wallet.refund_spend": _ALL,
    "wallet.plans": _OWNER,
    "wallet.refund_topup": _OWNER,
    "wallet.liability": _OWNER,
}


def role_can(role: str | Role | None, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return role is not None and Role(role) in PERMISSIONS[permission]


def current_staff_can(permission: str) -> bool:
    return bool(
        current_user.is_authenticated
        and getattr(current_user, "is_staff", False)
        and role_can(current_user.role, permission)
    )


def role_required(permission: str) -> Callable:
    """Allow a merchant view only to staff whose role holds `permission` (else 403)."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_staff_can(permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


def member_required(view: Callable) -> Callable:
    """A member-only page: anonymous visitors go to sign in, staff accounts get 403."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.full_path))
        if getattr(current_user, "is_staff", True):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
