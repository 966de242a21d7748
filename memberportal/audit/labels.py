"""Words for the audit trail: what staff read instead of the stored action and subject codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from memberportal.accounts.models import ROLE_LABELS

ACTION_LABELS = {
    "api_client.created": _l("API client created"),
    "api_client.revoked": _l("API client revoked"),
    "api_client.rotated": _l("API token rotated"),
    "brand.settings_saved": _l("Brand settings saved"),
    "claim.submitted": _l("Missing-points claim sent"),
    "claim.approved": _l("Missing-points claim approved"),
    "claim.rejected": _l("Missing-points claim rejected"),
    "brand.setup_finished": _l("First-run setup finished"),
    "bulk.uploaded": _l("Bulk file uploaded (preview)"),
    "bulk.confirmed": _l("Bulk file confirmed"),
    "bulk.cancelled": _l("Bulk file cancelled"),
    "bulk.finished": _l("Bulk file finished"),
    "bulk.row_skipped": _l("Bulk line skipped"),
    "bulk.row_failed": _l("Bulk line refused"),
    "coupon.issued": _l("Coupon issued"),
    "coupon.written_off": _l("Coupon written off"),
    "coupon.voided": _l("Coupon cancelled with its mall order"),
    "coupon_template.created": _l("Coupon created"),
    "coupon_template.updated": _l("Coupon edited"),
    "coupon_template.deactivated": _l("Coupon deactivated"),
    "coupon_template.activated": _l("Coupon activated"),
    "mall.category_added": _l("Category added"),
    "mall.category_updated": _l("Category changed"),
    "mall.codes_added": _l("Redemption codes added"),
    "mall.item_created": _l("Item created"),
    "mall.item_deleted": _l("Item deleted"),
    "mall.item_draft": _l("Item set to draft"),
    "mall.item_on_sale": _l("Item put on sale"),
    "mall.item_withdrawn": _l("Item withdrawn"),
    "mall.item_restocked": _l("Item restocked"),
    "mall.item_updated": _l("Item edited"),
    "mall.order_placed": _l("Redemption placed"),
    "mall.order_paid": _l("Redemption paid"),
    "mall.order_cancelled": _l("Redemption cancelled"),
    "mall.order_handed_over": _l("Redemption handed over"),
    "mall.order_shipped": _l("Redemption shipped"),
    "mall.order_delivered": _l("Redemption delivered"),
    "mall.payment_late": _l("Late payment for a redemption"),
    "mall.refund_owed": _l("Cash refund due"),
    "mall.refund_confirmed": _l("Cash refund confirmed"),
    "mall.refund_failed": _l("Cash refund failed"),
    "member.registered": _l("Member registered"),
    "member.imported": _l("Member imported"),
    "member.profile_updated": _l("Profile updated"),
    "member.birthday_corrected": _l("Birthday corrected by staff"),
    "member.profile_completed": _l("Profile completed"),
    "member.password_changed": _l("Password changed by the member"),
    "member.referred": _l("A friend joined through the member's invite link"),
    "referral.rewarded": _l("Invite reward paid (the friend's first purchase)"),
    "referral.capped": _l("Invite reward not paid: monthly limit reached"),
    "member.account_closed": _l("Account closed by the member; personal data erased"),
    "member.data_exported": _l("Member downloaded their data"),
    "membership.started": _l("Paid membership started"),
    "membership.updated": _l("Paid membership changed"),
    "membership.invoice_paid": _l("Paid membership invoice paid"),
    "membership.payment_failed": _l("Paid membership payment failed"),
    "membership.cancel_requested": _l("Paid membership set to end"),
    "membership.checkout_expired": _l("Paid membership checkout expired"),
    "membership.refund_recorded": _l("Paid membership refunded"),
    "membership.active": _l("Paid membership active"),
    "membership.trialing": _l("Paid membership in trial"),
    "membership.past_due": _l("Paid membership payment overdue"),
    "membership.on_hold": _l("Paid membership on hold"),
    "membership.ended": _l("Paid membership ended"),
    "membership.revoked": _l("Paid membership revoked"),
    "password_reset.issued": _l("Password reset issued"),
    "password_reset.completed": _l("Password reset used"),
    "plan.created": _l("Paid plan created"),
    "plan.updated": _l("Paid plan changed"),
    "points.adjusted": _l("Points adjusted"),
    "points.adjustment_requested": _l("Points adjustment requested (waits for approval)"),
    "points.adjustment_rejected": _l("Points adjustment rejected"),
    "points.rules_changed": _l("Program rules changed"),
    "purchase.recorded": _l("Purchase recorded"),
    "purchase.refunded": _l("Purchase refunded"),
    "review.written": _l("Purchase reviewed"),
    "review.growth_returned": _l("Review growth taken back (purchase refunded)"),
    "risk.flag_reviewed": _l("Risk flag reviewed"),
    "risk.member_frozen": _l("Account frozen for review"),
    "risk.member_unfrozen": _l("Account unfrozen"),
    "risk.rules_changed": _l("Risk thresholds changed"),
    "member.sign_in_failed": _l("Member sign-in failed"),
    "staff.signed_in": _l("Staff signed in"),
    "staff.sign_in_failed": _l("Staff sign-in failed"),
    "staff.created": _l("Staff account created"),
    "staff.deactivated": _l("Staff account deactivated"),
    "staff.reactivated": _l("Staff account reactivated"),
    "staff.role_changed": _l("Staff role changed"),
    "staff.password_reset": _l("Staff password reset by the owner"),
    "tier.changed": _l("Tier changed"),
    "tier.created": _l("Tier created"),
    "tier.updated": _l("Tier edited"),
    "tier.retired": _l("Tier retired"),
    "tier.deleted": _l("Tier deleted"),
    "wallet.chargeback": _l("Stored-value top-up reversed by the bank"),
    "wallet.dispute_closed": _l("Stored-value payment dispute closed"),
    "wallet.frozen": _l("Stored value frozen by a payment dispute"),
    "wallet.plan_saved": _l("Top-up plan saved"),
    "wallet.settings_saved": _l("Stored-value options saved"),
    "wallet.spend_refunded": _l("Stored-value payment refunded"),
    "wallet.spent": _l("Paid from stored value"),
    "wallet.topup_paid": _l("Stored value topped up"),
    "wallet.topup_refund": _l("Stored-value top-up refunded"),
    "webhook.created": _l("Webhook endpoint added"),
    "webhook.disabled": _l("Webhook endpoint disabled after failures"),
    "webhook.enabled": _l("Webhook endpoint enabled again"),
    "webhook.replayed": _l("Webhook delivery sent again"),
}

SUBJECT_LABELS = {
    "api_client": _l("API client"),
    "brand": _l("Brand"),
    "bulk_upload": _l("Bulk upload"),
    "coupon": _l("Coupon"),
    "coupon_template": _l("Coupon template"),
    "mall_category": _l("Category"),
    "mall_item": _l("Mall item"),
    "mall_order": _l("Redemption"),
    "member": _l("Member"),
    "membership": _l("Paid membership"),
    "plan": _l("Paid plan"),
    "program_rules": _l("Program rules"),
    "risk_flag": _l("Risk flag"),
    "risk_rules": _l("Risk thresholds"),
    "staff": _l("Staff account"),
    "tier": _l("Tier"),
    "wallet_plan": _l("Top-up plan"),
    "wallet_settings": _l("Stored-value options"),
    "webhook_endpoint": _l("Webhook endpoint"),
    "notification_delivery": _l("Webhook delivery"),
}


def action_label(code: str) -> str:
    """The words for an action; an action without words yet shows its code."""
    return str(ACTION_LABELS.get(code, code))


def subject_label(code: str) -> str:
    return str(SUBJECT_LABELS.get(code, code))


# The system's own actors (jobs, commands, the payment webhook), by their stored label.
SYSTEM_LABELS = {
    "system": _l("System"),
    "sign-in visitor": _l("Visitor (not signed in)"),
    "birthday coupons": _l("Birthday coupons (job)"),
    "member-day coupons": _l("Member-day coupons (job)"),
    "paid-card coupons": _l("Paid-card coupons (job)"),
    "tier coupons": _l("Tier coupons (job)"),
    "points expiry": _l("Points expiry (job)"),
    "tiers reevaluate": _l("Tier re-evaluation (job)"),
    "mall release-expired": _l("Unpaid mall orders released (job)"),
    "mall refunds": _l("Mall refunds (job)"),
    "stripe webhook": _l("Payment notification"),
    "demo data": _l("Demo data"),
    "cli create-staff": _l("Command line: create staff"),
    "cli create-api-client": _l("Command line: create API client"),
    "cli memberships sync-stripe": _l("Command line: sync paid memberships"),
}


def actor_label(kind: str, label: str) -> str:
    """Stored labels start with a role or "member" ("manager a@b.c", "member 5013404698");
    the system's actors have words of their own in both languages."""
    first, _, rest = label.partition(" ")
    words = {**ROLE_LABELS, "member": _l("Member")}
    if kind in ("staff", "member") and first in words and rest:
        return f"{words[first]} {rest}"
    if kind in ("system", "stripe") and label in SYSTEM_LABELS:
        return str(SYSTEM_LABELS[label])
    return label
