"""What each event says, in the reader's language (the page's, or the member's chosen one)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from memberportal.core.i18n import current_language
from memberportal.core.money import format_cents


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
        "coupon.issued": lambda: _("New coupon: %(coupon)s", coupon=_name(p["name"])),
        "coupon.expiring": lambda: _("%(coupon)s expires on %(day)s", coupon=_name(p["name"]),
                                     day=p["expires_on"]),
        "wallet.topup_credited": lambda: _("Top-up of %(amount)s credited",
                                           amount=format_cents(p["pay_cents"])),
        "wallet.payment_taken": lambda: _("Paid %(amount)s from stored value",
                                          amount=format_cents(p["amount_cents"])),
        "wallet.payment_refunded": lambda: _("%(amount)s refunded to stored value",
                                             amount=format_cents(p["amount_cents"])),
        "wallet.topup_refunded": lambda: _("Top-up refunded: %(amount)s",
                                           amount=format_cents(p["principal_cents"])),
        "wallet.frozen": lambda: _("Stored value frozen"),
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
        "coupon.issued": lambda: _("%(amount)s off, valid until %(day)s.",
                                   amount=format_cents(p["amount_cents"]), day=p["expires_on"]),
        "coupon.expiring": lambda: _("Use it before it lapses: %(amount)s off.",
                                     amount=format_cents(p["amount_cents"])),
        "wallet.topup_credited": lambda: _("Bonus %(bonus)s included.",
                                           bonus=format_cents(p.get("bonus_cents") or 0)),
        "wallet.payment_taken": lambda: _("Order %(order)s.", order=p.get("order_ref") or "-"),
        "wallet.payment_refunded": lambda: _("The amount is back in your stored value."),
        "wallet.topup_refunded": lambda: _("Unspent bonus forfeited: %(bonus)s.",
                                           bonus=format_cents(p.get("bonus_cents") or 0)),
        "wallet.frozen": lambda: _(
            "A payment dispute is open; stored value cannot be spent until it is settled."
        ),
    }  # fmt: skip
    return bodies[kind]()


def in_language(language: str, kind: str, payload: dict) -> tuple[str, str]:
    with force_locale(language):
        return title(kind, payload), body(kind, payload)
