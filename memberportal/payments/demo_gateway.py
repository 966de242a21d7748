"""The offline gateway: a store of what Stripe would hold, and signed events for every change.

Each simulated change (pay, renew, fail, cancel, refund, dispute) first commits the new
state to the demo store, then builds real-shaped events from Stripe's samples, signs them
with the stripe library and hands them to the same webhook handler live events reach.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from datetime import datetime

from flask import url_for

from memberportal.core.clock import utcnow
from memberportal.core.db import insert_once, use_case
from memberportal.extensions import db
from memberportal.payments.gateway import Plan, webhook_secret
from memberportal.payments.models import DemoStripeObject, PaymentFact
from memberportal.payments.stripe_events import Shapes, new_id, sign

Deliver = Callable[[str, str], tuple[int, dict]]


def add_interval(moment: datetime, interval: str) -> datetime:
    """One billing period later; the 31st becomes the month's last day."""
    months = 12 if interval == "year" else 1
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _in_process(payload: str, header: str) -> tuple[int, dict]:
    from memberportal.payments.webhook import receive

    return receive(payload, header)


class DemoGateway:
    def __init__(self, shapes: Shapes | None = None, deliver: Deliver | None = None):
        self.shapes = shapes or Shapes()
        self.deliver = deliver or _in_process

    # --- the store -----------------------------------------------------------------------

    def get(self, object_id: str | None) -> dict | None:
        if not object_id:
            return None
        row = db.session.get(DemoStripeObject, object_id, populate_existing=True)
        return json.loads(json.dumps(row.data)) if row else None

    @use_case
    def put(self, kind: str, obj: dict) -> dict:
        row = db.session.get(DemoStripeObject, obj["id"])
        if row is None:
            db.session.add(DemoStripeObject(id=obj["id"], kind=kind, data=obj))
        else:
            row.data = obj
        return obj

    # --- the Gateway interface -------------------------------------------------------------

    def start_checkout(
        self, *, checkout, plan, email, success_url, cancel_url, first_period_discount=True
    ):
        session_id = new_id("cs")
        session = self.shapes.checkout_session(
            session_id=session_id,
            customer=None,
            subscription=None,
            member_id=checkout.member_id,
            plan_code=plan.code,
            amount_total=plan.first_charge_cents if first_period_discount else plan.price_cents,
            complete=False,
        )
        session.update(success_url=success_url, cancel_url=cancel_url)
        session["url"] = url_for("memberships.demo_checkout", session_id=session_id)
        self.put("checkout.session", session)
        return session_id, session["url"]

    def fetch_subscription(self, subscription_id):
        return self.get(subscription_id)

    def invoice_for_payment_intent(self, payment_intent_id):
        payment = self.get(payment_intent_id)
        return self.get(payment.get("invoice")) if payment else None

    def cancel_at_period_end(self, subscription_id):
        sub = self.get(subscription_id)
        if sub is None:
            return
        sub.update(cancel_at_period_end=True, cancel_at=_period_end(sub))
        self.put("subscription", sub)
        self.send("customer.subscription.updated", sub)

    def start_payment(
        self, *, reference, amount_cents, description, metadata, email, success_url,
        cancel_url, expires_at,
    ):  # fmt: skip
        session_id = new_id("cs")
        session = self.shapes.payment_session(
            session_id=session_id, amount_total=amount_cents, metadata=metadata
        )
        session.update(success_url=success_url, cancel_url=cancel_url, expires_at=expires_at)
        session["url"] = url_for("mall.demo_payment", session_id=session_id)
        self.put("checkout.session", session)
        return session_id, session["url"]

    # --- simulated changes ---------------------------------------------------------------

    def pay_payment(self, session_id: str) -> dict | None:
        """The member paid a one-off (payment mode) demo checkout."""
        session = self.get(session_id)
        if session is None or session["status"] != "open" or not _claim_payment(session_id):
            return None
        payment_intent, customer = new_id("pi"), new_id("cus")
        charge = self.shapes.charge(
            charge_id=new_id("ch"),
            customer=customer,
            payment_intent=payment_intent,
            amount=session["amount_total"],
        )
        charge["metadata"] = dict(session["metadata"])
        self.put("charge", charge)
        self.put("payment_intent", {"id": payment_intent, "latest_charge": charge["id"]})
        session.update(
            status="complete", payment_status="paid", payment_intent=payment_intent, url=None
        )
        self.put("checkout.session", session)
        self.send("checkout.session.completed", session)
        return session

    def expire_payment(self, session_id: str) -> None:
        """The checkout was abandoned or timed out: Stripe expires it."""
        session = self.get(session_id)
        if session is None or session["status"] != "open":
            return
        session.update(status="expired", url=None)
        self.put("checkout.session", session)
        self.send("checkout.session.expired", session)

    def refund_payment(
        self,
        payment_intent_id: str,
        *,
        amount_cents: int | None = None,
        idempotency_key: str | None = None,
        metadata: dict | None = None,
    ) -> str | None:
        """Refund a one-off payment (all of it unless `amount_cents` says less); a second
        request returns the first refund."""
        payment = self.get(payment_intent_id)
        charge = self.get(payment["latest_charge"]) if payment else None
        if charge is None:
            return None
        if charge.get("refunded") or (charge.get("metadata") or {}).get("demo_refund_id"):
            return (charge.get("metadata") or {}).get("demo_refund_id")
        refund_id = new_id("re")
        refunded = charge["amount"] if amount_cents is None else min(amount_cents, charge["amount"])
        charge.update(amount_refunded=refunded, refunded=refunded >= charge["amount"])
        charge["metadata"] = {**(charge.get("metadata") or {}), "demo_refund_id": refund_id}
        self.put("charge", charge)
        self.send("charge.refunded", charge)
        return refund_id

    def send(self, kind: str, obj: dict) -> tuple[int, dict]:
        payload = json.dumps(self.shapes.event(kind, obj))
        return self.deliver(payload, sign(payload, webhook_secret()))

    def pay(self, session_id: str, *, plan: Plan, now: datetime | None = None) -> dict | None:
        """The member paid the demo checkout of `plan`: a subscription and its first invoice
        exist (billed as Stripe would bill the plan's Price)."""
        session = self.get(session_id)
        if session is None or session["status"] != "open" or not _claim_payment(session_id):
            return None
        now = now or utcnow()
        end = add_interval(now, plan.billing_interval)
        customer, sub_id = new_id("cus"), new_id("sub")
        sub = self.shapes.subscription(
            sub_id=sub_id,
            customer=customer,
            status="active",
            start=int(now.timestamp()),
            end=int(end.timestamp()),
            unit_amount=plan.price_cents,
            metadata=dict(session["metadata"]),
        )
        sub["items"]["data"][0]["price"]["recurring"]["interval"] = plan.billing_interval
        invoice = self._invoice(sub, session["amount_total"], "subscription_create", paid=True)
        sub["latest_invoice"] = invoice["id"]
        session.update(
            status="complete",
            payment_status="paid",
            customer=customer,
            subscription=sub_id,
            url=None,
        )
        self.put("subscription", sub)
        self.put("checkout.session", session)
        self.send("checkout.session.completed", session)
        self.send("invoice.paid", invoice)
        return sub

    def expire(self, session_id: str) -> bool:
        """The checkout was left unpaid until it expired."""
        session = self.get(session_id)
        if session is None or session["status"] != "open":
            return False
        session.update(status="expired", url=None)
        self.put("checkout.session", session)
        self.send("checkout.session.expired", session)
        return True

    def renew(self, subscription_id: str, *, paid: bool = True) -> dict:
        """The period ended: Stripe bills the full price; paid -> next period, else past_due."""
        sub = self.get(subscription_id)
        item = sub["items"]["data"][0]
        start, end = item["current_period_end"], _next_end(sub)
        invoice = self._invoice(
            sub, item["price"]["unit_amount"], "subscription_cycle", paid=paid, period=(start, end)
        )
        sub["latest_invoice"] = invoice["id"]
        if paid:
            item.update(current_period_start=start, current_period_end=end)
            sub["status"] = "active"
        else:
            sub["status"] = "past_due"
        self.put("subscription", sub)
        self.send("invoice.paid" if paid else "invoice.payment_failed", invoice)
        self.send("customer.subscription.updated", sub)
        return invoice

    def end(self, subscription_id: str, status: str = "canceled") -> None:
        """Retries ran out ('unpaid') or the subscription was cancelled ('canceled')."""
        sub = self.get(subscription_id)
        sub["status"] = status
        if status == "canceled":
            sub.update(canceled_at=_period_end(sub), ended_at=_period_end(sub))
        self.put("subscription", sub)
        deleted = status == "canceled"
        self.send(f"customer.subscription.{'deleted' if deleted else 'updated'}", sub)

    def refund(self, subscription_id: str, *, amount: int | None = None) -> None:
        """Refund the latest payment (all of it unless `amount` is given)."""
        charge = self._latest_charge(subscription_id)
        charge["amount_refunded"] = charge["amount"] if amount is None else amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        self.put("charge", charge)
        self.send("charge.refunded", charge)

    def open_dispute(self, subscription_id: str) -> str | None:
        """The member disputed the latest payment with their bank (None: it already was)."""
        charge = self._latest_charge(subscription_id)
        if self.get(f"dp_{charge['id']}") is not None:
            return None
        dispute = self.shapes.dispute(
            dispute_id=f"dp_{charge['id']}",
            charge=charge["id"],
            payment_intent=charge["payment_intent"],
            amount=charge["amount"],
            status="needs_response",
        )
        self.put("dispute", dispute)
        self.send("charge.dispute.created", dispute)
        return dispute["id"]

    def open_dispute_of(self, subscription_id: str) -> str | None:
        """The open dispute of the latest payment, if there is one."""
        dispute = self.get(f"dp_{self._latest_charge(subscription_id)['id']}")
        if dispute is None or dispute["status"] in ("won", "lost", "warning_closed"):
            return None
        return dispute["id"]

    def close_dispute(self, dispute_id: str, status: str) -> None:
        """The bank decided: 'won' or 'lost'."""
        dispute = self.get(dispute_id)
        dispute["status"] = status
        self.put("dispute", dispute)
        self.send("charge.dispute.closed", dispute)

    # --- helpers ---------------------------------------------------------------------------

    def _invoice(self, sub, amount, reason, *, paid, period=None) -> dict:
        item = sub["items"]["data"][0]
        start, end = period or (item["current_period_start"], item["current_period_end"])
        invoice = self.shapes.invoice(
            invoice_id=new_id("in"),
            customer=sub["customer"],
            subscription=sub["id"],
            amount=amount,
            start=start,
            end=end,
            paid=paid,
            billing_reason=reason,
        )
        payment_intent = new_id("pi")
        self.put("invoice", invoice)
        self.put("payment_intent", {"id": payment_intent, "invoice": invoice["id"]})
        if paid:
            charge = self.shapes.charge(
                charge_id=new_id("ch"),
                customer=sub["customer"],
                payment_intent=payment_intent,
                amount=amount,
            )
            self.put("charge", charge)
            sub.setdefault("metadata", {})["demo_latest_charge"] = charge["id"]
        return invoice

    def _latest_charge(self, subscription_id: str) -> dict:
        sub = self.get(subscription_id)
        return self.get(sub["metadata"]["demo_latest_charge"])


@use_case
def _claim_payment(session_id: str) -> bool:
    """One payment per demo checkout, even for two clicks at once (UNIQUE fact key)."""
    return insert_once(
        PaymentFact, key=f"demo.pay:{session_id}", event_id="demo", created_at=utcnow()
    )


def _period_end(sub: dict) -> int:
    return sub["items"]["data"][0]["current_period_end"]


def _next_end(sub: dict) -> int:
    item = sub["items"]["data"][0]
    interval = item["price"]["recurring"]["interval"]
    end = datetime.fromtimestamp(item["current_period_end"], tz=utcnow().tzinfo)
    return int(add_interval(end, interval).timestamp())
