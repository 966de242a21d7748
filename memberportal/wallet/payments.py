"""Top-ups through the payment gateway: Stripe Checkout in payment mode (or the demo gateway,
whose signed events take the same webhook path). Only a verified webhook credits.

memberportal.payments stores each event once and hands the wallet the events it claims
(`is_wallet_event`: a top-up id in the metadata, or a refund or dispute of a top-up's payment).
A top-up is credited by its conditional UPDATE pending -> paid, so a replayed event, a second
event for the same payment, or an expiry arriving late changes nothing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from sqlalchemy import select, update

from memberportal.audit import services as audit
from memberportal.core.actors import SystemActor
from memberportal.core.clock import utcnow
from memberportal.core.db import insert_once
from memberportal.core.errors import NotFound
from memberportal.extensions import db
from memberportal.notifications import outbox
from memberportal.payments import events as payment_events
from memberportal.payments.gateway import get_gateway
from memberportal.payments.rules import CHECKOUT_SESSION_TTL, stripe_id
from memberportal.wallet import services
from memberportal.wallet.errors import TopUpNotRefundable
from memberportal.wallet.models import Dispute, TopUp, Wallet

log = logging.getLogger("memberportal.wallet.payments")
STRIPE = SystemActor(audit_label="stripe webhook", actor_kind="stripe")
METADATA_KEY = "wallet_topup_id"
WALLET_EVENTS = (
    "checkout.session.completed",
    "checkout.session.expired",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
)


def begin_topup(
    plan_id: int, member_id: int, *, success_url: Callable[[int], str], cancel_url: str,
    now: datetime,
) -> tuple[TopUp, str]:  # fmt: skip
    """Start a top-up and open its checkout; return it and the URL to send the member to.
    `success_url(topup_id)` is where the member returns after paying (it only shows status).
    The gateway is called outside any transaction. Raises PlanNotAvailable."""
    topup = services.start_topup(plan_id, member_id, actor=STRIPE, now=now)
    topup_id, amount, name = topup.id, topup.pay_cents, topup.plan.name_en or topup.plan.name_zh
    db.session.rollback()  # no transaction stays open across the network call
    session_id, url = get_gateway().start_payment(
        reference=f"wallet-{topup_id}",
        amount_cents=amount,
        description=name,
        metadata={METADATA_KEY: str(topup_id), "member_id": str(member_id)},
        email=None,
        success_url=success_url(topup_id),
        cancel_url=cancel_url,
        expires_at=int((now + CHECKOUT_SESSION_TTL).timestamp()),
    )
    services.attach_session(topup_id, session_id)
    return db.session.get(TopUp, topup_id), url


def register_payment_handlers(app: Flask) -> None:
    handler = payment_events.Handler(
        kind="wallet", claims=is_wallet_event, apply=_apply, follow_up=None
    )
    for event_type in WALLET_EVENTS:
        payment_events.register(app, event_type, handler)


def _topup_id(obj: dict) -> int | None:
    ref = (obj.get("metadata") or {}).get(METADATA_KEY) or ""
    return int(ref) if ref.isdigit() else None


def _topup_for_payment(obj: dict) -> TopUp | None:
    payment_intent = stripe_id(obj.get("payment_intent"))
    if not payment_intent:
        return None
    return db.session.scalar(select(TopUp).where(TopUp.payment_intent_id == payment_intent))


def is_wallet_event(event: dict) -> bool:
    obj = event["data"]["object"]
    if event.get("type") not in WALLET_EVENTS:
        return False
    if _topup_id(obj) is not None:
        return True
    return event["type"].startswith("charge.") and _topup_for_payment(obj) is not None


def _apply(event: dict, context, now: datetime) -> payment_events.Outcome:
    outcome, note = handle_event(event, now=now)
    return payment_events.Outcome(outcome, note=note)


def handle_event(event: dict, *, now: datetime) -> tuple[str, str | None]:
    """Apply one verified, first-seen wallet event inside the webhook's transaction."""
    obj, kind = event["data"]["object"], event["type"]
    topup_id = _topup_id(obj)
    topup = db.session.get(TopUp, topup_id) if topup_id else _topup_for_payment(obj)
    if topup is None:
        return "unmatched", "no top-up for this payment"
    if kind == "checkout.session.completed":
        if obj.get("mode") != "payment" or obj.get("payment_status") != "paid":
            return "ignored", "not a paid one-off checkout"
        credited = services.credit_topup(
            topup.id, amount_cents=obj.get("amount_total") or 0,
            payment_intent=stripe_id(obj.get("payment_intent")), session_id=obj["id"],
            actor=STRIPE, now=now,
        )  # fmt: skip
        return ("applied", None) if credited else ("no_change", "top-up already credited")
    if kind == "checkout.session.expired":
        expired = services.expire_topup(obj["id"], now=now)
        return ("applied" if expired else "no_change"), None
    if kind == "charge.refunded":
        return _refunded(topup, obj, now)
    if kind == "charge.dispute.created":
        return _dispute_opened(topup, obj, now)
    return _dispute_closed(topup, obj, now)


def _refunded(topup: TopUp, charge: dict, now: datetime) -> tuple[str, str | None]:
    """A refund we asked for closes the top-up; one made at the processor by hand refunds it
    here by the same rule first (unspent principal out, unspent bonus forfeited)."""
    if topup.state == "paid":
        services.refund_topup(topup.id, actor=STRIPE, now=now)
    refund_id = (charge.get("metadata") or {}).get("demo_refund_id") or None
    closed = services.confirm_topup_refunded(topup.id, refund_id, now=now)
    return ("applied", None) if closed else ("no_change", "refund already recorded")


def _dispute_opened(topup: TopUp, dispute: dict, now: datetime) -> tuple[str, str | None]:
    # A closing that arrived first already holds the row: the opening then changes nothing.
    if not insert_once(Dispute, dispute_id=dispute["id"], topup_id=topup.id, state="open",
                       updated_at=now):  # fmt: skip
        return "no_change", "dispute already known"
    _change_disputes(topup.member_id, +1, now)
    outbox.wallet_moved(
        "frozen", topup.member_id, key=dispute["id"], now=now, pay_cents=topup.pay_cents
    )
    audit.record("wallet.frozen", actor=STRIPE, subject_type="member",
                 subject_id=topup.member_id, topup=topup.id, dispute=dispute["id"])  # fmt: skip
    return "applied", None


def _dispute_closed(topup: TopUp, dispute: dict, now: datetime) -> tuple[str, str | None]:
    """Won: the wallet thaws. Lost: the bank returned the payment, so the top-up's unspent
    principal and bonus leave the wallet (a chargeback), then it thaws."""
    status = "lost" if dispute.get("status") == "lost" else "won"
    was_open = db.session.execute(
        update(Dispute)
        .where(Dispute.dispute_id == dispute["id"], Dispute.state == "open")
        .values(state=status, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not was_open and not insert_once(
        Dispute, dispute_id=dispute["id"], topup_id=topup.id, state=status, updated_at=now
    ):
        return "no_change", "dispute already closed"
    if was_open:
        _change_disputes(topup.member_id, -1, now)
    if status == "lost":
        # Already refunded: nothing is left of it to take.
        with contextlib.suppress(TopUpNotRefundable):
            services.refund_topup(topup.id, actor=STRIPE, now=now, chargeback=True)
    audit.record("wallet.dispute_closed", actor=STRIPE, subject_type="member",
                 subject_id=topup.member_id, topup=topup.id, dispute=dispute["id"],
                 status=status)  # fmt: skip
    return "applied", None


def _change_disputes(member_id: int, delta: int, now: datetime) -> None:
    insert_once(Wallet, member_id=member_id, principal_cents=0, bonus_cents=0,
                open_disputes=0, updated_at=now)  # fmt: skip
    db.session.execute(
        update(Wallet)
        .where(Wallet.member_id == member_id, Wallet.open_disputes + delta >= 0)
        .values(open_disputes=Wallet.open_disputes + delta, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def refund_topup(topup_id: int, *, actor, now: datetime | None = None) -> TopUp:
    """The owner refunds a top-up: the wallet side in one transaction, then the gateway is
    asked for the unspent principal (send_topup_refund). Raises TopUpNotRefundable."""
    topup = services.refund_topup(topup_id, actor=actor, now=now or utcnow())
    send_topup_refund(topup.id)
    return topup


def send_topup_refund(topup_id: int) -> bool:
    """Ask the gateway to return a refunding top-up's principal (idempotency key per top-up,
    so a retry asks for the same refund). Never inside a transaction; a failure leaves the
    top-up refunding, to be retried from its page. Returns whether the request went out."""
    topup = db.session.get(TopUp, topup_id)
    if topup is None:
        raise NotFound()
    if topup.state != "refunding" or not topup.payment_intent_id:
        return False
    payment_intent, amount = topup.payment_intent_id, topup.refunded_principal_cents
    db.session.rollback()
    try:
        get_gateway().refund_payment(
            payment_intent, amount_cents=amount, idempotency_key=f"wallet-topup-{topup_id}",
            metadata={METADATA_KEY: str(topup_id)},
        )  # fmt: skip
    except Exception as error:  # noqa: BLE001 - any gateway failure leaves it to retry
        log.warning("refund of top-up %s failed: %s", topup_id, error)
        return False
    return True
