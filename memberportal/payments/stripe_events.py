"""Real-shaped Stripe objects and signed events, built from Stripe's published samples.

The demo gateway uses them offline; tests build theirs from the same samples. Every builder
starts from a deep copy of Stripe's sample and overrides only what a scenario relies on.
"""

from __future__ import annotations

import copy
import json
import secrets
import time
from functools import cache
from pathlib import Path

import stripe

SHAPES_FILE = Path(__file__).with_name("stripe_shapes.json")


@cache
def packaged_shapes() -> dict:
    return json.loads(SHAPES_FILE.read_text())["resources"]


def load_shapes(path: str | Path | None = None) -> dict:
    """Sample objects by name ('subscription', 'invoice', ...); the packaged copy by default."""
    if path is None:
        return packaged_shapes()
    return json.loads(Path(path).read_text())["resources"]


def new_id(prefix: str) -> str:
    return f"{prefix}_demo{secrets.token_hex(8)}"


class Shapes:
    """Builders over one set of samples."""

    def __init__(self, resources: dict | None = None):
        self.resources = resources or packaged_shapes()

    def _sample(self, name: str) -> dict:
        return copy.deepcopy(self.resources[name])

    def event(self, type_: str, obj: dict, *, event_id: str | None = None) -> dict:
        event = self._sample("event")
        event.update(
            id=event_id or new_id("evt"),
            type=type_,
            created=int(time.time()),
            api_version=stripe.api_version,
            data={"object": obj},
            livemode=False,
            pending_webhooks=1,
        )
        return event

    def subscription(
        self,
        *,
        sub_id: str,
        customer: str,
        status: str,
        start: int,
        end: int,
        unit_amount: int,
        price_id: str = "price_demo",
        cancel_at_period_end: bool = False,
        metadata: dict | None = None,
        latest_invoice: str | None = None,
    ) -> dict:
        sub = self._sample("subscription")
        item = sub["items"]["data"][0]
        item.update(
            id=f"si_{sub_id}",
            subscription=sub_id,
            current_period_start=start,
            current_period_end=end,
            quantity=1,
        )
        item["price"].update(id=price_id, unit_amount=unit_amount, currency="cny")
        item["price"]["unit_amount_decimal"] = str(unit_amount)
        item["price"]["recurring"]["interval"] = "year"
        sub["items"]["data"] = [item]
        sub["items"]["url"] = f"/v1/subscription_items?subscription={sub_id}"
        ended = status in ("canceled", "incomplete_expired")
        sub.update(
            id=sub_id,
            customer=customer,
            status=status,
            currency="cny",
            start_date=start,
            billing_cycle_anchor=start,
            cancel_at_period_end=cancel_at_period_end,
            cancel_at=end if cancel_at_period_end else None,
            canceled_at=end if ended else None,
            ended_at=end if ended else None,
            trial_start=None,
            trial_end=None,
            metadata=metadata or {},
            latest_invoice=latest_invoice,
            discounts=[],
            pending_update=None,
            schedule=None,
        )
        return sub

    def invoice(
        self,
        *,
        invoice_id: str,
        customer: str,
        subscription: str,
        amount: int,
        start: int,
        end: int,
        paid: bool,
        billing_reason: str = "subscription_cycle",
        attempt_count: int = 1,
    ) -> dict:
        inv = self._sample("invoice")
        line = inv["lines"]["data"][0]
        line.update(
            id=f"il_{invoice_id}",
            invoice=invoice_id,
            amount=amount,
            currency="cny",
            period={"start": start, "end": end},
            subscription=None,
            subtotal=amount,
            description="1 × SVIP",
            parent={
                "type": "subscription_item_details",
                "invoice_item_details": None,
                "subscription_item_details": {
                    "invoice_item": None,
                    "proration": False,
                    "proration_details": {"credited_items": None},
                    "subscription": subscription,
                    "subscription_item": f"si_{subscription}",
                },
            },
        )
        inv["lines"]["data"] = [line]
        inv["lines"]["url"] = f"/v1/invoices/{invoice_id}/lines"
        inv.update(
            id=invoice_id,
            customer=customer,
            currency="cny",
            billing_reason=billing_reason,
            amount_due=amount,
            amount_paid=amount if paid else 0,
            amount_remaining=0 if paid else amount,
            amount_overpaid=0,
            subtotal=amount,
            subtotal_excluding_tax=amount,
            total=amount,
            total_excluding_tax=amount,
            attempted=True,
            attempt_count=attempt_count,
            status="paid" if paid else "open",
            period_start=start,
            period_end=start,
            from_invoice=None,
            last_finalization_error=None,
            parent={
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {"metadata": {}, "subscription": subscription},
            },
        )
        inv["status_transitions"]["paid_at"] = int(time.time()) if paid else None
        return inv

    def checkout_session(
        self,
        *,
        session_id: str,
        customer: str | None,
        subscription: str | None,
        member_id: int,
        plan_code: str,
        amount_total: int,
        complete: bool,
    ) -> dict:
        session = self._sample("checkout.session")
        session.update(
            id=session_id,
            mode="subscription",
            customer=customer,
            subscription=subscription,
            client_reference_id=str(member_id),
            metadata={"member_id": str(member_id), "plan_code": plan_code},
            amount_subtotal=amount_total,
            amount_total=amount_total,
            currency="cny",
            payment_intent=None,
            status="complete" if complete else "open",
            payment_status="paid" if complete else "unpaid",
            url=None if complete else session["url"],
            shipping_address_collection=None,
            currency_conversion=None,
        )
        return session

    def payment_session(self, *, session_id: str, amount_total: int, metadata: dict) -> dict:
        """An open one-off checkout (payment mode), e.g. the cash part of a mall order."""
        session = self._sample("checkout.session")
        session.update(
            id=session_id,
            mode="payment",
            customer=None,
            subscription=None,
            client_reference_id=metadata.get("member_id"),
            metadata=dict(metadata),
            amount_subtotal=amount_total,
            amount_total=amount_total,
            currency="cny",
            payment_intent=None,
            status="open",
            payment_status="unpaid",
            shipping_address_collection=None,
            currency_conversion=None,
        )
        return session

    def charge(
        self,
        *,
        charge_id: str,
        customer: str,
        payment_intent: str,
        amount: int,
        amount_refunded: int = 0,
    ) -> dict:
        charge = self._sample("charge")
        charge.update(
            id=charge_id,
            customer=customer,
            payment_intent=payment_intent,
            amount=amount,
            amount_captured=amount,
            amount_refunded=amount_refunded,
            refunded=amount_refunded >= amount,
            captured=True,
            currency="cny",
            source=None,
        )
        return charge

    def dispute(
        self, *, dispute_id: str, charge: str, payment_intent: str, amount: int, status: str
    ) -> dict:
        dispute = self._sample("dispute")
        dispute.update(
            id=dispute_id,
            charge=charge,
            payment_intent=payment_intent,
            amount=amount,
            currency="cny",
            status=status,
        )
        return dispute


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for `payload`, computed by the stripe library itself."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
