"""The API's rate limit (api.ratelimit): one count per client and request over every endpoint,
the limit headers on every answer, shared by the workers through Redis."""

import os
import time

import pytest

from memberportal import register_rate_limits
from memberportal.extensions import limiter
from tests import factories


def lookup(client, headers, member):
    return client.get(f"/api/v1/members/{member.member_no}", headers=headers)


def buy(client, headers, member, ref, cents=1000):
    body = {"member": member.member_no, "order_ref": ref, "amount_cents": cents}
    return client.post("/api/v1/purchases", json=body, headers=headers)


def limit_headers(response) -> tuple:
    headers = response.headers
    return (
        headers["X-RateLimit-Limit"],
        headers["X-RateLimit-Remaining"],
        int(headers["X-RateLimit-Reset"]),
        int(headers["Retry-After"]),
    )


def test_each_call_counts_once_whatever_its_endpoint_or_answer(make_app, till):
    limited = make_app(API_RATE_LIMIT="4 per minute").test_client()
    member = factories.member()
    answers = [
        lookup(limited, till[1], member),
        limited.post("/api/v1/purchases", json={"member": member.member_no}, headers=till[1]),
        limited.get("/api/v1/coupons/NO-SUCH-CODE", headers=till[1]),
        buy(limited, till[1], member, "RL-1"),
        lookup(limited, till[1], member),
    ]
    assert [a.status_code for a in answers] == [200, 422, 404, 201, 429]
    shown = [limit_headers(a) for a in answers]
    assert [(limit, left) for limit, left, _, _ in shown] == [
        ("4", "3"), ("4", "2"), ("4", "1"), ("4", "0"), ("4", "0"),
    ]  # fmt: skip
    assert len({reset for _, _, reset, _ in shown}) == 1  # one window
    assert all(0 < retry <= 61 for *_, retry in shown)
    refused = answers[-1].get_json()
    assert refused == {"error": "rate_limited", "message": "4 per 1 minute"}


def test_calls_without_a_valid_token_are_counted_too_and_apart_from_the_clients(make_app, till):
    limited = make_app(API_RATE_LIMIT="2 per minute").test_client()
    member = factories.member()
    no_token = [lookup(limited, {}, member).status_code for _ in range(3)]
    assert no_token == [401, 401, 429]  # counted by address, refused before the token check
    wrong = {"Authorization": "Bearer mpk_nope_nope"}
    assert [lookup(limited, wrong, member).status_code for _ in range(3)] == [401, 401, 429]
    assert lookup(limited, till[1], member).status_code == 200  # the till has its own count


def test_with_several_limits_the_shortest_is_shown_and_the_spent_one_refuses(make_app, till):
    limited = make_app(API_RATE_LIMIT="3 per hour; 2 per minute").test_client()
    member = factories.member()
    answers = [lookup(limited, till[1], member) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [limit_headers(a)[:2] for a in answers] == [("2", "1"), ("2", "0"), ("2", "0")]
    assert answers[-1].get_json()["message"] == "2 per 1 minute"


def test_the_limit_holds_across_workers_through_redis(make_app, till):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set (CI sets it)")
    config = {"RATELIMIT_STORAGE_URI": url, "API_RATE_LIMIT": "3 per minute"}
    member = factories.member()
    first = make_app(**config)
    with first.app_context():
        limiter.reset()
    assert [lookup(first.test_client(), till[1], member).status_code for _ in range(2)] == [
        200,
        200,
    ]
    # Another worker: its own connection to Redis, the same count.
    second = make_app(**config).test_client()
    answers = [lookup(second, till[1], member) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 429]
    assert limit_headers(answers[0])[:2] == ("3", "0")


def test_flask_limiters_per_request_check_runs_only_when_a_limit_applies_app_wide(
    make_app, monkeypatch
):
    check = limiter._check_request_limit
    assert check not in make_app().before_request_funcs[None]
    # A default limit for every view (RATELIMIT_DEFAULT) needs the per-request check: it stays.
    manager = type(limiter.limit_manager)
    monkeypatch.setattr(manager, "default_limits", property(lambda self: ["100 per minute"]))
    app = make_app()
    assert check in app.before_request_funcs[None]
    register_rate_limits(app)  # again: still there
    assert check in app.before_request_funcs[None]


def test_one_call_to_redis_counts_as_the_strategy_does():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set (CI sets it)")
    from limits import RateLimitItemPerMinute
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter

    from memberportal.core.ratelimit_storage import window_counter

    store = storage_from_string(url)
    per_minute = RateLimitItemPerMinute(2)
    key = per_minute.key_for("api:one-call-test", "api")
    store.clear(key)
    count = window_counter(store)
    first, ends = count(key, 60, 1)
    assert first == 1 and 58 <= ends - time.time() <= 61
    strategy = FixedWindowRateLimiter(store)
    assert strategy.hit(per_minute, "api:one-call-test", "api")  # 2 of 2
    assert count(key, 60, 1)[0] == 3
    assert strategy.get_window_stats(per_minute, "api:one-call-test", "api").remaining == 0
    store.clear(key)
