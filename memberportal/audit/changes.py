"""What an audit row changed, in words: "Points multiplier (%): 100 -> 150".

Services store their details in a few shapes (a `before`/`after` pair of dicts, `old`/`new`
values, `{field: [old, new]}` as the plans and coupon templates do, or plain facts such as
`points=50`); this module reads them all into one list of lines for the page and the CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from memberportal.accounts.models import ROLE_LABELS
from memberportal.core.money import format_cents

FIELD_LABELS = {
    "active": _l("Active"),
    "amount_cents": _l("Amount"),
    "address": _l("Address"),
    "benefits_en": _l("Benefits (English)"),
    "benefits_zh": _l("Benefits (Chinese)"),
    "big_purchase_cents": _l("Big purchase above"),
    "billing_interval": _l("Billing interval"),
    "birthday": _l("Birthday"),
    "bulk_upload": _l("Bulk upload"),
    "filename": _l("File"),
    "line": _l("Line"),
    "rows": _l("Rows"),
    "applied": _l("Applied"),
    "requested": _l("Waiting for approval"),
    "failed": _l("Refused"),
    "skipped": _l("Skipped"),
    "clearing_day": _l("Clearing day"),
    "clearing_month": _l("Clearing month"),
    "clearing_years_after": _l("Years after earning (clearing)"),
    "code": _l("Code"),
    "colour": _l("Card colour"),
    "currency_display": _l("Currency display"),
    "daily_purchases": _l("Purchases per day"),
    "email": _l("Email"),
    "expiry_months": _l("Months (rolling)"),
    "expiry_policy": _l("Expiry"),
    "first_period_price_cents": _l("First period price"),
    "growth": _l("Growth"),
    "kind": _l("Kind"),
    "growth_threshold": _l("Growth threshold"),
    "interaction_cap_pct": _l("Interaction cap (%)"),
    "member_day": _l("Member day"),
    "member_day_multiplier_pct": _l("Member day multiplier (%)"),
    "min_spend_cents": _l("Minimum spend"),
    "name": _l("Name"),
    "name_en": _l("Name (English)"),
    "name_zh": _l("Name (Chinese)"),
    "order_ref": _l("Order reference"),
    "paid_discount_bps": _l("Paid-card discount (basis points)"),
    "points": _l("Points"),
    "points_multiplier_pct": _l("Points multiplier (%)"),
    "price_cents": _l("Price"),
    "profile_growth": _l("Growth for completing the profile"),
    "qualification_months": _l("Qualification period (months)"),
    "rate_pct": _l("Points per 100 yuan"),
    "reason": _l("Reason"),
    "referral_points": _l("Points for inviting a new member"),
    "refund_rate_pct": _l("Refunds above (%)"),
    "retired": _l("Retired"),
    "review_growth": _l("Growth for a review"),
    "role": _l("Role"),
    "share_growth": _l("Growth for inviting a new member"),
    "sign_in_growth": _l("Growth for a daily sign-in"),
    "approval_threshold_points": _l("Approval needed above (points)"),
    "tier": _l("Tier"),
    "time_zone": _l("Time zone"),
    "typed": _l("Typed"),
    "why": _l("Why"),
}

# Stored codes that have words of their own, by field.
VALUE_LABELS = {
    "expiry_policy": {
        "rolling": _l("Rolling: N months after the month of earning"),
        "yearly": _l("Yearly clearing date"),
    },
    "kind": {"points": _l("Bulk points"), "members": _l("Import members")},
}

# Pairs of detail keys that hold one field's old and new value.
PAIRS = (
    ("old", "new", "value"),
    ("old_role", "new_role", "role"),
    ("was_active", "active", "active"),
)

# Keys that only link rows together (ids) or repeat the subject: not shown as facts.
HIDDEN = {"entry_id", "request_id", "reset_id", "purchase_id", "refund_id", "review_id",
          "referral_id", "referred_id", "member_id", "batch_id"}  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One line: a changed field (before and after) or a fact (after only)."""

    label: str
    after: str
    before: str | None = None

    def __str__(self) -> str:
        if self.before is None:
            return f"{self.label}: {self.after}"
        return f"{self.label}: {self.before} -> {self.after}"


def field_label(key: str) -> str:
    if key == "value":
        return _("Value")
    return str(FIELD_LABELS.get(key, key.replace("_", " ")))


def words(key: str, value: Any) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key.endswith("_cents") and isinstance(value, int):
        return format_cents(value)
    if key in ("role", "old_role", "new_role") and value in ROLE_LABELS:
        return str(ROLE_LABELS[value])
    if isinstance(value, str) and value in VALUE_LABELS.get(key, {}):
        return str(VALUE_LABELS[key][value])
    if key == "points" and isinstance(value, int) and value > 0:
        return f"+{value}"
    if isinstance(value, dict | list):
        return (
            ", ".join(f"{k}={v}" for k, v in value.items())
            if isinstance(value, dict)
            else (", ".join(str(v) for v in value))
        )
    return str(value)


def describe(details: dict | None) -> list[Change]:
    """The lines for one audit row's details, changes first, then facts."""
    details = dict(details or {})
    lines: list[Change] = []
    before, after = details.pop("before", None), details.pop("after", None)
    if isinstance(before, dict) or isinstance(after, dict):
        before, after = before or {}, after or {}
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                lines.append(_change(key, before.get(key), after.get(key)))
    for old_key, new_key, label_key in PAIRS:
        if old_key in details and new_key in details:
            old, new = details.pop(old_key), details.pop(new_key)
            lines.append(Change(field_label(label_key), words(new_key, new), words(old_key, old)))
    changed = details.pop("changed", None)
    if isinstance(changed, dict):
        details.update(changed)
    for key, value in details.items():
        if key in HIDDEN:
            continue
        if isinstance(value, list) and len(value) == 2:
            lines.append(_change(key, value[0], value[1]))
        else:
            lines.append(Change(field_label(key), words(key, value)))
    return lines


def _change(key: str, old: Any, new: Any) -> Change:
    return Change(field_label(key), words(key, new), words(key, old))
