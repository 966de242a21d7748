"""What an API request costs the worker's CPU around its domain call, measured in-process.

Runs requests through Flask's test client for (a) POST /api/v1/purchases, (b) GET
/api/v1/members/<member_no> and (c) GET /healthz on the demo program, and prints the CPU time
per request, the part spent in the domain call (the purchase's lookup_member and
record_purchase, the lookup's lookup_member and member_body) and the part around it: the
framework, hooks, auth, rate limit, argument parsing, idempotency record and commit, response.
A bare Flask app answering the same way through the same test client is the floor (the test
client's own cost is in every figure). Each figure is the best of several rounds, as other load
on the machine only adds to it. Then the CPU of each hook and step, and a CPU profile (cProfile,
which inflates what it measures) with the domain call left out: the functions that cost the
most around it and the CPU per package. Compare runs on one machine; the ratios to the floor
travel better than the milliseconds.

    .venv/bin/python bench/request_overhead.py [--requests 200] [--rounds 7] [--top 25]
        [--only purchase] [--no-profile]

DATABASE_URL picks the engine (default: SQLite in a temporary folder); the database is wiped.
RATELIMIT_STORAGE_URI=redis://... counts the rate limit in Redis, as several workers would.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import functools
import io
import logging
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Where the domain call starts: (module, attribute) wrapped so its CPU is counted apart.
DOMAIN_CALLS = [
    ("memberportal.api.views", "lookup_member"),
    ("memberportal.api.views", "member_body"),
    ("memberportal.purchases.services", "record_purchase"),
]


def sa_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Domain:
    """Counts the CPU spent inside the domain calls, and keeps them out of a running profile."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.calls = 0
        self.depth = 0
        self.profile: cProfile.Profile | None = None

    def wrap(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if self.depth:
                return fn(*args, **kwargs)
            self.depth += 1
            self.calls += 1
            if self.profile:
                self.profile.disable()
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.cpu += time.process_time() - started
                self.depth -= 1
                if self.profile:
                    self.profile.enable()

        return wrapper

    def install(self) -> None:
        import importlib

        for module, name in DOMAIN_CALLS:
            target = importlib.import_module(module)
            setattr(target, name, self.wrap(getattr(target, name)))


def build(url: str):
    from flask_migrate import upgrade

    from memberportal import create_app
    from memberportal import demo as demo_data
    from memberportal.api import services as api_services
    from memberportal.core.actors import SystemActor
    from memberportal.extensions import db
    from memberportal.members.models import Member

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "API_RATE_LIMIT": "1000000 per minute"})
    with app.app_context():
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        with contextlib.redirect_stderr(io.StringIO()):  # the migrations' progress lines
            upgrade(directory=app.extensions["migrate"].directory)
        demo_data.load()
        _client, token = api_services.create_client("Overhead", actor=SystemActor())
        numbers = db.session.scalars(select(Member.member_no).order_by(Member.id)).all()
        dialect = db.engine.dialect.name
        db.session.remove()
    # The request log line is formatted and written as served, to nowhere.
    for handler in logging.getLogger("memberportal").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - open for the whole run
    return app, token, numbers, dialect


def bare_app():
    """The floor: a Flask app that reads the JSON body and answers JSON, nothing else."""
    from flask import Flask, jsonify, request

    bare = Flask("bare")

    @bare.post("/api/v1/purchases")
    def purchase():
        data = request.get_json()
        return jsonify(points_earned=data["amount_cents"] // 100, balance=0), 201

    @bare.get("/api/v1/members/<code>")
    def member(code):
        return jsonify(member_no=code)

    @bare.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    return bare


def requests_for(name: str, token: str, numbers: list[str]):
    """The i-th request of a kind: (method, path, keyword arguments of the test client)."""
    auth = {"Authorization": f"Bearer {token}"}
    run = f"{os.getpid()}-{time.time_ns()}"
    if name == "purchase":
        return lambda i: (
            "post",
            "/api/v1/purchases",
            {
                "json": {
                    "member": numbers[i % len(numbers)],
                    "order_ref": f"oh-{run}-{i}",
                    "amount_cents": 12_345 + i,
                },
                "headers": auth,
            },
        )
    if name == "member":
        return lambda i: ("get", f"/api/v1/members/{numbers[i % len(numbers)]}", {"headers": auth})
    return lambda i: ("get", "/healthz", {})


EXPECTED = {"purchase": 201, "member": 200, "healthz": 200}
PATHS = {
    "purchase": "POST /api/v1/purchases",
    "member": "GET /api/v1/members/<member_no>",
    "healthz": "GET /healthz",
}


def run(client, make, n: int, start: int, expected: int) -> float:
    """CPU seconds for n requests."""
    cpu = time.process_time()
    for i in range(start, start + n):
        method, path, kwargs = make(i)
        response = getattr(client, method)(path, **kwargs)
        if response.status_code != expected:
            sys.exit(f"{method.upper()} {path}: {response.status_code} {response.get_data()[:300]}")
    return time.process_time() - cpu


class Stages:
    """CPU per request of each hook and of the steps every API request takes, measured by
    wrapping them (no profiler, so the figures are not inflated)."""

    def __init__(self, app) -> None:
        self.cpu: collections.Counter[str] = collections.Counter()
        self.calls: collections.Counter[str] = collections.Counter()
        for kind in ("before_request", "after_request", "teardown_request"):
            for funcs in getattr(app, f"{kind}_funcs").values():
                funcs[:] = [self.wrap(f"{kind}: {_name(f)}", f) for f in funcs]
        app.teardown_appcontext_funcs[:] = [
            self.wrap(f"teardown_appcontext: {_name(f)}", f) for f in app.teardown_appcontext_funcs
        ]
        session = app.session_interface
        session.open_session = self.wrap("session cookie: open", session.open_session)
        session.save_session = self.wrap("session cookie: save", session.save_session)
        app.dispatch_request = self.wrap("dispatch_request (the view and its decorators)",
                                         app.dispatch_request)  # fmt: skip

        import flask.json.provider
        import webargs.flaskparser
        from sqlalchemy.orm import Session

        from memberportal.api import services

        for owner, name, label in (
            (webargs.flaskparser.FlaskParser, "parse", "arguments: webargs parse + schema load"),
            (flask.json.provider.DefaultJSONProvider, "response", "jsonify"),
            (Session, "commit", "SQLAlchemy commit"),
            (services, "_claim", "idempotency record (INSERT)"),
            (logging.Logger, "handle", "logging: emit a record"),
        ):
            setattr(owner, name, self.wrap(label, getattr(owner, name)))

    def wrap(self, label: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.cpu[label] += time.process_time() - started
                self.calls[label] += 1

        return timed

    def measure(self, rounds: int, n: int, run_round) -> None:
        """Run `rounds` passes of n requests (run_round(k)); print each step's best pass."""
        best: dict[str, float] = {}
        for k in range(rounds):
            self.cpu.clear()
            self.calls.clear()
            run_round(k)
            for label, cpu in self.cpu.items():
                best[label] = min(best.get(label, cpu), cpu)
        print("    by hook and step (CPU ms/request, the best pass; nested steps counted in their"
              " callers too):")  # fmt: skip
        for label, cpu in sorted(best.items(), key=lambda item: -item[1]):
            print(f"      {cpu * 1000 / n:6.3f}  {self.calls[label] / n:4.1f}x  {label}")


def _name(fn) -> str:
    fn = getattr(fn, "func", fn)  # functools.partial (flask-limiter's after_request)
    return getattr(fn, "__qualname__", repr(fn)).replace("<locals>.", "")


def package_of(filename: str) -> str:
    """memberportal.api, flask_limiter, sqlalchemy, ... for a profiled function's file."""
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if "memberportal" in parts:
        at = parts.index("memberportal")
        return ".".join(p.removesuffix(".py") for p in parts[at : at + 2])
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    return "stdlib:" + path.stem


def report_profile(profile: cProfile.Profile, n: int, top: int) -> None:
    """Self time per package, then the functions with the most cumulative time. The frames
    that enclose the domain call (the view, dispatch, the WSGI app) show only their part
    before it: the profile is paused inside the domain call."""
    entries = {
        key: value
        for key, value in pstats.Stats(profile).stats.items()  # (cc, nc, tt, ct, callers)
        if key[0] != __file__
    }
    by_package: collections.Counter[str] = collections.Counter()
    for (filename, _line, _name), (_cc, _nc, tt, _ct, _callers) in entries.items():
        by_package[package_of(filename)] += tt
    total = sum(by_package.values())
    print(f"    profiled (cProfile inflates it) around the domain call: {total * 1000 / n:.2f} ms")
    print("    self time by package (ms/request):")
    for package, tt in by_package.most_common(14):
        print(f"      {tt * 1000 / n:6.3f}  {tt / total:5.1%}  {package}")
    print(f"    top {top} functions by cumulative time around the domain call (ms/request):")
    rows = sorted(entries.items(), key=lambda kv: kv[1][3], reverse=True)
    for (filename, line, name), (_cc, nc, _tt, ct, _callers) in rows[:top]:
        where = f"{package_of(filename)}:{Path(filename).name}:{line}({name})"
        print(f"      {ct * 1000 / n:6.3f}  {nc / n:4.1f}x  {where[:100]}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200, help="per endpoint and pass")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=7, help="timed passes; the best counts")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", choices=list(EXPECTED), action="append")
    parser.add_argument("--no-profile", action="store_true", help="CPU per request only")
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="mp-overhead-")
    os.environ["INSTANCE_PATH"] = instance
    url = sa_url(os.environ.get("DATABASE_URL") or f"sqlite:///{instance}/overhead.sqlite3")

    app, token, numbers, dialect = build(url)
    domain = Domain()
    domain.install()
    client, floor_client = app.test_client(), bare_app().test_client()
    n, kinds = args.requests, args.only or list(EXPECTED)
    storage = app.config["RATELIMIT_STORAGE_URI"].split(":", 1)[0]
    print(f"{n} requests x {args.rounds} rounds per endpoint, in-process test client, {dialect},"
          f" rate limits in {storage}; CPU ms per request, the best of the rounds for each figure"
          f" (other load only adds to them; each round runs the bare app, then ours)")  # fmt: skip
    counter = 0
    measured = {}
    for name in kinds:
        make = requests_for(name, token, numbers)
        run(floor_client, make, args.warmup, counter, EXPECTED[name])
        run(client, make, args.warmup, counter, EXPECTED[name])
        counter += args.warmup
        rounds = []
        for _ in range(args.rounds):
            floor = run(floor_client, make, n, counter, EXPECTED[name]) / n
            domain.cpu = domain.calls = 0
            total = run(client, make, n, counter, EXPECTED[name]) / n
            counter += n
            inside = domain.cpu / n
            rounds.append((total, inside, total - inside, floor))
        measured[name] = [min(column) for column in zip(*rounds, strict=True)]

    print(f"\n  {'':34} {'total':>7} {'domain':>7} {'around':>7} {'bare':>6}  around/bare")
    for name, (total, inside, around, floor) in measured.items():
        print(f"  {PATHS[name]:34} {total * 1000:7.2f} {inside * 1000:7.2f} {around * 1000:7.2f}"
              f" {floor * 1000:6.2f}  {around / floor:6.1f}")  # fmt: skip
    if args.no_profile:
        return 0

    stages = Stages(app)
    for name in kinds:
        make = requests_for(name, token, numbers)
        print(f"\n  {PATHS[name]}")
        expected = EXPECTED[name]
        stages.measure(
            args.rounds,
            n,
            lambda k, make=make, start=counter, expected=expected: run(
                client, make, n, start + k * n, expected
            ),
        )
        counter += args.rounds * n
        profile = cProfile.Profile(time.process_time)  # CPU, not the wait for the database
        domain.profile = profile
        profile.enable()
        run(client, make, n, counter, EXPECTED[name])
        profile.disable()
        domain.profile = None
        counter += n
        report_profile(profile, n, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
