"""The API's rate limit: one count per client over every /api/v1 endpoint together.

The counters live in the rate-limit storage of the app's flask-limiter (`lazymemory://` per
worker, or `redis://...`, which every worker shares), under the keys flask-limiter's shared
limit used, so a limit holds across workers as before. That shared blueprint limit did the same
work at two to three times the CPU: on each request it resolved every limit of the app and parsed
the limit string, and it made three calls to the storage (on Redis three round trips: the hit,
then the count and the expiry for the headers). Here the limit is parsed once per setting and
a request makes one call (core.ratelimit_storage.window_counter).
"""

from __future__ import annotations

import functools
import logging
import time

from flask import current_app, g
from flask.wrappers import Response
from limits import RateLimitItem, parse_many
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from memberportal.core.ratelimit_storage import WindowCounter, window_counter
from memberportal.extensions import limiter

SCOPE = "api"  # one count per client for all the endpoints (flask-limiter's shared scope)
log = logging.getLogger(__name__)


@functools.cache
def _limits(setting: str) -> tuple[RateLimitItem, ...]:
    """API_RATE_LIMIT ("1200 per minute", or several: "20 per second; 1200 per minute"),
    parsed once, shortest window first."""
    return tuple(sorted(parse_many(setting)))


@functools.lru_cache(maxsize=8)
def _window_counter(storage) -> WindowCounter | None:
    return window_counter(storage)


def hit(key: str) -> None:
    """Count one request of the client `key` against each API limit; raise TooManyRequests
    (429) at the first limit it exceeds. The refused request counts too, so a client that
    keeps calling stays refused until the window ends.

    With a shared storage (Redis) each count is one atomic increment, so the limit holds
    across workers and processes."""
    if not limiter.enabled:
        return
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    args = (prefix, key, SCOPE) if prefix else (key, SCOPE)
    strategy = limiter.limiter
    counter = None  # a fixed window (the app's strategy) on a known store: one call per limit
    if type(strategy) is FixedWindowRateLimiter:
        counter = _window_counter(strategy.storage)
    for item in _limits(current_app.config["API_RATE_LIMIT"]):
        if counter is None:
            allowed, window = strategy.hit(item, *args), None
        else:
            count, reset_time = counter(item.key_for(*args), item.get_expiry(), 1)
            allowed, window = count <= item.amount, (reset_time, max(item.amount - count, 0))
        if not allowed:
            g.api_rate_limit = (item, args, window)
            log.info("API rate limit %s exceeded by %s", item, key)
            raise TooManyRequests(description=str(item))
        g.setdefault("api_rate_limit", (item, args, window))


def add_headers(response: Response) -> Response:
    """X-RateLimit-Limit, -Remaining and -Reset of the limit that refused the request (else
    the shortest), and Retry-After in seconds: what flask-limiter sent."""
    counted = g.get("api_rate_limit")
    if counted is None or not current_app.config.get("RATELIMIT_HEADERS_ENABLED"):
        return response
    item, args, window = counted
    reset_time, remaining = window or limiter.limiter.get_window_stats(item, *args)
    reset_at = int(reset_time + 1)
    headers = response.headers
    headers.add("X-RateLimit-Limit", str(item.amount))
    headers.add("X-RateLimit-Remaining", str(remaining))
    headers.add("X-RateLimit-Reset", str(reset_at))
    headers.set("Retry-After", str(int(reset_at - time.time())))
    return response
