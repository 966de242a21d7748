"""POST /stripe/webhook: the only way a payment changes anything here.

The body is verified with stripe.Webhook.construct_event against the configured secret
before anything is read or written; any failure is a 400 that writes nothing. The demo
gateway hands its signed events to `receive` too, so both modes share this path.
"""

from __future__ import annotations

import json
import logging

import stripe
from flask import Blueprint, jsonify, request

from memberportal.extensions import csrf
from memberportal.payments import events
from memberportal.payments.gateway import webhook_secret

bp = Blueprint("stripe_webhook", __name__)
log = logging.getLogger("memberportal.payments.webhook")


def receive(payload: bytes | str, signature: str | None) -> tuple[int, dict]:
    """Verify, then act once. Returns (HTTP status, JSON body)."""
    try:
        stripe.Webhook.construct_event(payload, signature, webhook_secret())
        event = json.loads(payload)
        if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
            raise ValueError("not an event")
        event["data"]["object"]  # noqa: B018 - every event carries its object
    except (ValueError, TypeError, KeyError, AttributeError, stripe.SignatureVerificationError):
        log.warning("rejected a webhook delivery that failed verification")
        return 400, {"error": "invalid payload or signature"}
    return 200, {"received": True, "outcome": events.deliver(event)}


@bp.post("/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    status, body = receive(request.get_data(), request.headers.get("Stripe-Signature"))
    return jsonify(body), status
