"""Verified Stripe events: stored once, then handed to the area that registered for them.

payments imports no area. An area that acts on payment events registers one `Handler` per
event type when the app is created (create_app calls the area's `register_payment_handlers`):

    events.register(app, "checkout.session.completed", Handler(kind="mall", apply=...,
                    claims=is_mall_event))

Which handler takes an event is decided by the event's own data, never by an import: for one
event type, a handler with `claims` takes the events its predicate accepts (the mall claims a
checkout whose metadata names a mall order); the one handler registered without `claims`
takes the rest (the paid membership). Several may claim, at most one may not.

A delivery (`deliver`) runs in three steps:
  1. prepare: each handler's `prepare(event, gateway)` fetches what it needs from the
     processor, before any transaction is open (network calls happen here);
  2. handle_event: one transaction inserts the event once, lets the handler that takes it
     apply it, and writes its Outcome on the event row;
  3. follow up: after the commit, each handler's `follow_up(event)` makes the network calls
     the event left owed (it runs for repeats too, so a lost call is made again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import update

from memberportal.core.clock import utcnow
from memberportal.core.db import insert_once, use_case
from memberportal.extensions import db
from memberportal.payments.gateway import Gateway, get_gateway
from memberportal.payments.models import PaymentFact, StripeEvent
from memberportal.payments.rules import stripe_id

REGISTRY_KEY = "payment_handlers"


@dataclass(frozen=True)
class Outcome:
    """What a handler did with an event, written on its stripe_events row."""

    outcome: str  # applied, no_change, unmatched, ignored
    note: str | None = None
    membership_id: int | None = None
    subscription_id: str | None = None


@dataclass(frozen=True)
class Handler:
    kind: str  # the area's name for what it handles; one handler per kind and event type
    apply: Callable[[dict, Any, datetime], Outcome]  # (event, prepared context, now)
    claims: Callable[[dict], bool] | None = None  # None: takes what no other handler claims
    prepare: Callable[[dict, Gateway], Any] | None = None
    follow_up: Callable[[dict], None] | None = None


def register(app: Flask, event_type: str, handler: Handler) -> None:
    """Hand events of `event_type` to `handler` (registering a kind again replaces it)."""
    handlers = app.extensions.setdefault(REGISTRY_KEY, {}).setdefault(event_type, {})
    fallback = [h.kind for h in handlers.values() if h.claims is None and h.kind != handler.kind]
    if handler.claims is None and fallback:
        raise ValueError(f"{event_type} already goes to {fallback[0]} when nobody claims it")
    handlers[handler.kind] = handler


def handlers_for(event_type: str) -> list[Handler]:
    return list(current_app.extensions.get(REGISTRY_KEY, {}).get(event_type, {}).values())


def deliver(event: dict) -> str:
    """Prepare, handle once, follow up (see the module docstring); returns the outcome, or
    'duplicate' for an event id already stored."""
    handlers = handlers_for(event["type"])
    contexts = prepare(event, handlers)
    outcome = handle_event(event, contexts)
    for handler in handlers:
        if handler.follow_up:
            handler.follow_up(event)
    return outcome


def prepare(event: dict, handlers: list[Handler]) -> dict[str, Any]:
    """Each handler's context by kind, fetched through the gateway outside any transaction."""
    preparing = [h for h in handlers if h.prepare]
    if not preparing:
        return {}
    gateway = get_gateway()
    return {h.kind: h.prepare(event, gateway) for h in preparing}


@use_case
def handle_event(event: dict, contexts: dict[str, Any], *, now: datetime | None = None) -> str:
    """Record a verified event once and let the handler that takes it apply it.

    Rule: the event id is UNIQUE; a repeat is acknowledged ('duplicate') and does nothing.
    An event no handler takes is kept as 'ignored'. Writes: stripe_events, and whatever the
    handler writes in the same transaction. Concurrency: the first statement is the event
    insert, so deliveries of one event serialise on its key and exactly one applies it.
    """
    now = now or utcnow()
    obj = event["data"]["object"]
    if not insert_once(
        StripeEvent,
        event_id=event["id"],
        type=event["type"],
        received_at=now,
        outcome="received",
        customer_id=stripe_id(obj.get("customer")),
        payload=event,
    ):
        return "duplicate"
    handler = _taker(event)
    result = (
        handler.apply(event, contexts.get(handler.kind), now) if handler else Outcome("ignored")
    )
    db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.event_id == event["id"])
        .values(
            outcome=result.outcome,
            membership_id=result.membership_id,
            subscription_id=result.subscription_id,
            note=result.note,
        )
    )
    return result.outcome


def _taker(event: dict) -> Handler | None:
    handlers = handlers_for(event["type"])
    for handler in handlers:
        if handler.claims is not None and handler.claims(event):
            return handler
    return next((h for h in handlers if h.claims is None), None)


def first_time(key: str, event_id: str) -> bool:
    """Record the business fact `key` an event reports; True only the first time, so two
    event ids for one change act once (UNIQUE key; joins the caller's transaction)."""
    return insert_once(PaymentFact, key=key, event_id=event_id, created_at=utcnow())
