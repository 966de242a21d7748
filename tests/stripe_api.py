"""A small stand-in for Stripe's HTTP API on 127.0.0.1, served from a thread.

It answers the few endpoints the live gateway uses with objects built from Stripe's published
samples (see tests/webhooks/stripe_sim.shapes), keeps what it created, and records every request
(method, path, decoded form or query, headers) so tests can assert what the stripe library sent.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from tests.webhooks.stripe_sim import shapes


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeStripe:
    shapes: object = field(default_factory=shapes)
    objects: dict[str, dict] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    counter: int = 0

    # --- routing ---------------------------------------------------------------------------

    def handle(self, request: Request) -> tuple[int, dict]:
        self.requests.append(request)
        routes = [
            ("POST", r"/v1/checkout/sessions", self.create_session),
            ("GET", r"/v1/subscriptions/(\w+)", self.get_object),
            ("POST", r"/v1/subscriptions/(\w+)", self.update_subscription),
            ("GET", r"/v1/invoice_payments", self.list_invoice_payments),
            ("GET", r"/v1/invoices/(\w+)", self.get_object),
            ("POST", r"/v1/products", self.create_product),
            ("POST", r"/v1/prices", self.create_price),
            ("POST", r"/v1/coupons", self.create_coupon),
            ("POST", r"/v1/refunds", self.create_refund),
        ]
        for method, pattern, action in routes:
            match = re.fullmatch(pattern, request.path)
            if match and method == request.method:
                return action(request, *match.groups())
        return 404, error(f"Unrecognized request URL ({request.method}: {request.path})")

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_test{self.counter:06d}"

    def calls(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # --- endpoints ---------------------------------------------------------------------------

    def get_object(self, request, object_id):
        obj = self.objects.get(object_id)
        if obj is None:
            return 404, error(f"No such object: '{object_id}'", param="id")
        return 200, obj

    def create_session(self, request):
        p = request.params
        session = self.shapes.checkout_session(
            session_id=self.new_id("cs"),
            customer=None,
            subscription=None,
            member_id=int(p["metadata[member_id]"]),
            plan_code=p.get("metadata[plan_code]", ""),
            amount_total=int(p.get("line_items[0][price_data][unit_amount]", 0)),
            complete=False,
        )
        session.update(success_url=p["success_url"], cancel_url=p["cancel_url"])
        if p.get("mode") == "payment":  # a one-off payment carries its own metadata
            metadata = {k[9:-1]: v for k, v in p.items() if k.startswith("metadata[")}
            session.update(mode="payment", subscription=None, metadata=metadata)
        session["url"] = f"https://checkout.stripe.com/c/pay/{session['id']}"
        self.objects[session["id"]] = session
        return 200, session

    def update_subscription(self, request, sub_id):
        sub = self.objects.get(sub_id)
        if sub is None:
            return 404, error(f"No such subscription: '{sub_id}'", param="id")
        if request.params.get("cancel_at_period_end") == "true":
            end = sub["items"]["data"][0]["current_period_end"]
            sub.update(cancel_at_period_end=True, cancel_at=end)
        return 200, sub

    def list_invoice_payments(self, request):
        intent = request.params.get("payment[payment_intent]")
        data = []
        for obj in self.objects.values():
            if (
                obj.get("object") == "invoice_payment"
                and obj["payment"].get("payment_intent") == intent
            ):
                payment = copy.deepcopy(obj)
                if request.params.get("expand[0]") == "data.invoice":
                    payment["invoice"] = self.objects[payment["invoice"]]
                data.append(payment)
        return 200, {
            "object": "list",
            "data": data,
            "has_more": False,
            "url": "/v1/invoice_payments",
        }

    def _create(self, name: str, prefix: str, values: dict) -> tuple[int, dict]:
        obj = self.shapes._sample(name)
        obj.update(id=self.new_id(prefix), livemode=False, **values)
        self.objects[obj["id"]] = obj
        return 200, obj

    def create_refund(self, request):
        p = request.params
        refund = {"id": self.new_id("re"), "object": "refund", "status": "succeeded",
                  "amount": int(p["amount"]), "currency": "cny",
                  "payment_intent": p["payment_intent"]}  # fmt: skip
        self.objects[refund["id"]] = refund
        return 200, refund

    def create_product(self, request):
        p = request.params
        return self._create("product", "prod", {"name": p["name"], "default_price": None})

    def create_price(self, request):
        p = request.params
        recurring = {**self.shapes.resources["price"]["recurring"]}
        recurring["interval"] = p["recurring[interval]"]
        values = {
            "product": p["product"],
            "currency": p["currency"],
            "unit_amount": int(p["unit_amount"]),
            "unit_amount_decimal": p["unit_amount"],
            "recurring": recurring,
        }
        return self._create("price", "price", values)

    def create_coupon(self, request):
        p = request.params
        values = {
            "amount_off": int(p["amount_off"]),
            "percent_off": None,
            "currency": p["currency"],
            "duration": p["duration"],
            "duration_in_months": None,
            "name": p["name"],
        }
        return self._create("coupon", "coupon", values)

    # --- state a test sets up (what Stripe would hold after the member paid) ------------------

    def add_paid_subscription(self, *, member_id: int, plan_code: str, start: int, end: int):
        sub_id, customer = self.new_id("sub"), self.new_id("cus")
        sub = self.shapes.subscription(
            sub_id=sub_id,
            customer=customer,
            status="active",
            start=start,
            end=end,
            unit_amount=19900,
            metadata={"member_id": str(member_id), "plan_code": plan_code},
        )
        invoice = self.shapes.invoice(
            invoice_id=self.new_id("in"),
            customer=customer,
            subscription=sub_id,
            amount=9900,
            start=start,
            end=end,
            paid=True,
            billing_reason="subscription_create",
        )
        sub["latest_invoice"] = invoice["id"]
        payment = self.shapes._sample("invoice_payment")
        intent = self.new_id("pi")
        payment.update(
            id=self.new_id("inpay"),
            invoice=invoice["id"],
            amount_paid=9900,
            currency="cny",
            status="paid",
            payment={"type": "payment_intent", "payment_intent": intent},
        )
        for obj in (sub, invoice, payment):
            self.objects[obj["id"]] = obj
        return sub, invoice, intent


def error(message: str, *, param: str | None = None) -> dict:
    return {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": message,
            "param": param,
        }
    }


class Server:
    """FakeStripe on 127.0.0.1 in a daemon thread; `base` is what the client is pointed at."""

    def __init__(self):
        self.stripe = FakeStripe()
        fake = self.stripe

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                params = dict(parse_qsl(body or url.query, keep_blank_values=True))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload = fake.handle(Request(self.command, url.path, params, headers))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_test")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, *args):  # keep test output quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
