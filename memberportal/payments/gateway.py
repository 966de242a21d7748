"""The payment gateway: Stripe itself (live) or the offline demo, chosen by PAYMENTS_MODE.

Both answer the same questions; the webhook handler decides from what they return, so the
demo exercises the very path live payments take. The gateway knows no area: a checkout and a
plan are whatever object carries the attributes named in `Checkout` and `Plan` below (the
paid membership passes its own rows).
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import stripe
from flask import current_app

from memberportal.payments.rules import CHECKOUT_SESSION_TTL


class Checkout(Protocol):
    """What a subscription checkout tells the gateway: its id keys the request once."""

    id: int
    member_id: int


class Plan(Protocol):
    """What a plan tells the gateway (its Stripe objects, price, billing interval)."""

    code: str
    name_en: str
    name_zh: str
    price_cents: int
    first_period_price_cents: int | None
    first_charge_cents: int
    billing_interval: str
    stripe_price_id: str | None
    stripe_coupon_id: str | None


class Gateway(Protocol):
    def start_checkout(
        self,
        *,
        checkout: Checkout,
        plan: Plan,
        email: str | None,
        success_url: str,
        cancel_url: str,
        first_period_discount: bool = True,
    ) -> tuple[str, str]:
        """Create a checkout for one subscription; return (session id, URL to send the member).

        Without `first_period_discount` (a returning member) the first period costs the full price.
        """

    def fetch_subscription(self, subscription_id: str) -> dict | None:
        """The latest state of a subscription, or None when the processor does not know it."""

    def invoice_for_payment_intent(self, payment_intent_id: str) -> dict | None:
        """The invoice a payment paid (charges no longer name their invoice)."""

    def cancel_at_period_end(self, subscription_id: str) -> None:
        """Ask the processor to end the subscription when the paid period is over."""

    def start_payment(
        self,
        *,
        reference: str,
        amount_cents: int,
        description: str,
        metadata: dict,
        email: str | None,
        success_url: str,
        cancel_url: str,
        expires_at: int,
    ) -> tuple[str, str]:
        """Create a one-off payment checkout (payment mode); return (session id, URL)."""

    def refund_payment(
        self, payment_intent_id: str, *, amount_cents: int, idempotency_key: str, metadata: dict
    ) -> str | None:
        """Refund a one-off payment; return the refund id (None: it was refunded already).
        The outcome reaches the webhook as charge.refunded, like any refund."""


def webhook_secret() -> str:
    """STRIPE_WEBHOOK_SECRET; in demo mode without one, a secret kept under instance/."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET") or ""
    if secret or current_app.config["PAYMENTS_MODE"] != "demo":
        return secret
    path = Path(current_app.instance_path) / "stripe_webhook_secret"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker wrote it first
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write("whsec_demo" + secrets.token_hex(24))
    return path.read_text().strip()


def get_gateway() -> Gateway:
    app = current_app._get_current_object()
    gateway = app.extensions.get("payments_gateway")
    if gateway is None:
        if app.config["PAYMENTS_MODE"] == "live":
            gateway = LiveGateway(
                app.config["STRIPE_SECRET_KEY"], api_base=app.config.get("STRIPE_API_BASE")
            )
        else:
            from memberportal.payments.demo_gateway import DemoGateway

            gateway = DemoGateway()
        app.extensions["payments_gateway"] = gateway
    return gateway


class LiveGateway:
    """Stripe's API through the stripe library (network calls; never inside a transaction)."""

    def __init__(self, api_key: str, *, api_base: str | None = None):
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            # Every write carries an idempotency key, so a retried request acts once.
            max_network_retries=2,
        )

    def start_checkout(
        self, *, checkout, plan, email, success_url, cancel_url, first_period_discount=True
    ):
        params: dict = {
            "mode": "subscription",
            "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
            "client_reference_id": str(checkout.member_id),
            "metadata": {"member_id": str(checkout.member_id), "plan_code": plan.code},
            "subscription_data": {
                "metadata": {"member_id": str(checkout.member_id), "plan_code": plan.code}
            },
            "success_url": success_url + "?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": cancel_url,
            # The local checkout outlives the session (services.CHECKOUT_TTL): never two open.
            "expires_at": int(time.time() + CHECKOUT_SESSION_TTL.total_seconds()),
        }
        if email:
            params["customer_email"] = email
        discounted = first_period_discount and plan.first_period_price_cents is not None
        if plan.stripe_coupon_id and discounted:
            # A coupon with duration "once" discounts only the first invoice.
            params["discounts"] = [{"coupon": plan.stripe_coupon_id}]
        session = self.client.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"checkout-{checkout.id}"}
        )
        return session.id, session.url

    def fetch_subscription(self, subscription_id):
        try:
            return self.client.v1.subscriptions.retrieve(subscription_id).to_dict()
        except stripe.InvalidRequestError:
            return None

    def invoice_for_payment_intent(self, payment_intent_id):
        payments = self.client.v1.invoice_payments.list(
            params={
                "payment": {"type": "payment_intent", "payment_intent": payment_intent_id},
                "expand": ["data.invoice"],
            }
        )
        for payment in payments.data:
            invoice = payment.invoice
            if isinstance(invoice, str):
                invoice = self.client.v1.invoices.retrieve(invoice)
            return invoice.to_dict()
        return None

    def cancel_at_period_end(self, subscription_id):
        self.client.v1.subscriptions.update(
            subscription_id,
            params={"cancel_at_period_end": True},
            options={"idempotency_key": f"cancel-{subscription_id}"},
        )

    def start_payment(
        self, *, reference, amount_cents, description, metadata, email, success_url,
        cancel_url, expires_at,
    ):  # fmt: skip
        params: dict = {
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": "cny",
                        "unit_amount": amount_cents,
                        "product_data": {"name": description},
                    },
                    "quantity": 1,
                }
            ],
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "expires_at": expires_at,
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if email:
            params["customer_email"] = email
        session = self.client.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"payment-{reference}"}
        )
        return session.id, session.url

    def refund_payment(self, payment_intent_id, *, amount_cents, idempotency_key, metadata):
        try:
            refund = self.client.v1.refunds.create(
                params={
                    "payment_intent": payment_intent_id,
                    "amount": amount_cents,
                    "metadata": metadata,
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as error:
            if error.code == "charge_already_refunded":
                return None
            raise
        return refund.id

    def create_plan_objects(self, plan: Plan) -> StripePlanIds:
        """Create the plan's Product, recurring Price and (with a discounted first period) a
        one-time Coupon worth the difference. Idempotency keys name the plan and its price, so
        running this twice for an unchanged plan creates nothing new."""
        key = f"plan-{plan.code}-{plan.price_cents}-{plan.billing_interval}"
        meta = {"plan_code": plan.code}
        product = self.client.v1.products.create(
            params={"name": plan.name_en, "description": plan.name_zh, "metadata": meta},
            options={"idempotency_key": f"{key}-product"},
        )
        price = self.client.v1.prices.create(
            params={
                "product": product.id,
                "currency": "cny",
                "unit_amount": plan.price_cents,
                "recurring": {"interval": plan.billing_interval},
                "metadata": meta,
            },
            options={"idempotency_key": f"{key}-price"},
        )
        coupon_id = None
        if plan.first_period_price_cents is not None:
            coupon = self.client.v1.coupons.create(
                params={
                    "amount_off": plan.price_cents - plan.first_period_price_cents,
                    "currency": "cny",
                    "duration": "once",
                    "name": f"{plan.name_en}: first period",
                    "metadata": meta,
                },
                options={"idempotency_key": f"{key}-{plan.first_period_price_cents}-coupon"},
            )
            coupon_id = coupon.id
        return StripePlanIds(product.id, price.id, coupon_id)


@dataclass(frozen=True)
class StripePlanIds:
    product_id: str
    price_id: str
    coupon_id: str | None
