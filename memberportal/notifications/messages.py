"""What each event says, in the reader's language (the page's, or the member's chosen one)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from memberportal.core.i18n import current_language


def _name(names: dict | None) -> str:
    names = names or {}
    if current_language() == "en":
        return names.get("en") or names.get("zh") or ""
    return names.get("zh") or names.get("en") or ""


def title(kind: str, payload: dict) -> str:
    p = payload
    titles = {
        "points.expiring": lambda: _("%(points)s points expire on %(day)s", points=p["points"],
                                     day=p["expires_on"]),
        "points.expired": lambda: _("%(points)s points expired", points=p["points"]),
        "tier.up": lambda: _("Welcome to %(tier)s", tier=_name(p["new"])),
        "tier.down": lambda: _("Your tier is now %(tier)s", tier=_name(p["new"])),
        "mall.order_ready": lambda: _("%(item)s is ready for pickup", item=_name(p["item"])),
        "mall.order_shipped": lambda: _("%(item)s has shipped", item=_name(p["item"])),
        "mall.order_cancelled": lambda: _("Order for %(item)s cancelled", item=_name(p["item"])),
        "membership.renewed": lambda: _("%(plan)s renewed", plan=_name(p["plan"])),
        "membership.payment_failed": lambda: _(
            "Payment for %(plan)s failed", plan=_name(p["plan"])
        ),
        "membership.ending": lambda: _("%(plan)s is ending", plan=_name(p["plan"])),
    }  # fmt: skip
    return titles[kind]()


def body(kind: str, payload: dict) -> str:
    p = payload
    bodies = {
        "points.expiring": lambda: _("Spend them in the points mall before they lapse."),
        "points.expired": lambda: _("They were not spent before their expiry date."),
        "tier.up": lambda: _("Your growth reached a new tier: its benefits apply from now."),
        "tier.down": lambda: _("Your qualification period ended below your former tier."),
        "mall.order_ready": lambda: _("Show your pickup code at the store."),
        "mall.order_shipped": lambda: _("%(carrier)s, tracking number %(no)s.",
                                        carrier=p.get("carrier") or "",
                                        no=p.get("tracking_no") or ""),
        "mall.order_cancelled": lambda: _("The points went back to your balance."),
        "membership.renewed": lambda: _("Paid until %(day)s.", day=p.get("period_end") or "-"),
        "membership.payment_failed": lambda: _(
            "Please update your payment method to keep your benefits."
        ),
        "membership.ending": lambda: _("Your benefits last until %(day)s.",
                                       day=p.get("period_end") or "-"),
    }  # fmt: skip
    return bodies[kind]()


def in_language(language: str, kind: str, payload: dict) -> tuple[str, str]:
    with force_locale(language):
        return title(kind, payload), body(kind, payload)
