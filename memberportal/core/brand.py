"""The brand's name, time zone and how amounts are shown: what the owner saved in the first-run
setup (memberportal.brand), with the environment's values as defaults.

Read on nearly every request (dates, amounts, the header), so values come from a short process
cache filled by the brand area's loader over its own connection: a request costs no query, and
a change made on one host is seen by every worker within BRAND_CACHE_SECONDS.
"""

from __future__ import annotations

import threading
import time

from flask import current_app

CURRENCY_DISPLAYS = ("symbol", "name")
_cache: dict[int, tuple[float, dict]] = {}
_lock = threading.Lock()


def current() -> dict:
    """{'name', 'time_zone', 'currency_display'} for the current app."""
    app = current_app._get_current_object()
    now = time.monotonic()
    entry = _cache.get(id(app))
    if entry and entry[0] > now:
        return entry[1]
    values = {
        "name": app.config["BRAND_NAME"],
        "time_zone": app.config["BRAND_TIMEZONE"],
        "currency_display": "symbol",
    }
    loader = app.extensions.get("brand.loader")
    saved = loader() if loader else None
    if saved:
        values.update({key: value for key, value in saved.items() if value})
    with _lock:
        _cache[id(app)] = (now + app.config.get("BRAND_CACHE_SECONDS", 30), values)
    return values


def forget() -> None:
    """Drop the cached values (after a save in this process; between tests)."""
    with _lock:
        _cache.clear()
