"""Test helpers: Stripe's state in the demo store, events built from Stripe's published
samples (the packaged copy plus tests/webhooks/stripe_test_shapes.json), signed by the stripe
library, posted over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from memberportal.extensions import db
from memberportal.memberships.models import Membership
from memberportal.payments.demo_gateway import DemoGateway
from memberportal.payments.gateway import webhook_secret
from memberportal.payments.stripe_events import Shapes, load_shapes, new_id, sign

TEST_SHAPES = Path(__file__).with_name("stripe_test_shapes.json")


def shapes() -> Shapes:
    """The packaged samples, plus the few objects only the stand-in Stripe API hands out."""
    return Shapes({**load_shapes(), **load_shapes(TEST_SHAPES)})


class Sim(DemoGateway):
    """The demo gateway, delivering through the test client (or collecting for later)."""

    def __init__(self, client, *, collect: bool = False):
        self.client = client
        self.collected: list[str] = []
        self.responses: list[tuple[int, dict]] = []
        super().__init__(shapes=shapes(), deliver=self._deliver)
        self.collect = collect

    def _deliver(self, payload: str, header: str):
        if self.collect:
            self.collected.append(payload)
            return 200, {}
        return self.post(payload)

    def post(self, payload: str, header: str | None = None, **headers):
        headers = {"Stripe-Signature": header or sign(payload, webhook_secret()), **headers}
        response = self.client.post(
            "/stripe/webhook", data=payload, headers=headers, content_type="application/json"
        )
        result = (response.status_code, response.get_json())
        self.responses.append(result)
        return result

    def subscribe(self, member, plan_code: str = "SVIP") -> str:
        """The member pays a checkout for the plan; returns the subscription id."""
        from memberportal.memberships.models import Plan

        plan = db.session.scalars(select(Plan).where(Plan.code == plan_code)).one()
        session = self.shapes.checkout_session(
            session_id=new_id("cs"),
            customer=None,
            subscription=None,
            member_id=member.id,
            plan_code=plan.code,
            amount_total=plan.first_charge_cents,
            complete=False,
        )
        self.put("checkout.session", session)
        return self.pay(session["id"], plan=plan)["id"]

    def event(self, kind: str, obj: dict, event_id: str | None = None) -> str:
        return json.dumps(self.shapes.event(kind, obj, event_id=event_id))


def membership(subscription_id: str) -> Membership:
    db.session.expire_all()
    return db.session.scalars(
        select(Membership).where(Membership.stripe_subscription_id == subscription_id)
    ).one()


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))
