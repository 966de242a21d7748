"""How much each API client calls: tallied in the worker, added to api_usage in batches.

A row per call was the busiest insert of the purchase path. Each worker now counts its calls
per client and UTC hour in memory and adds the counts to `api_usage` (one UPSERT per client
and hour, in key order) when API_USAGE_FLUSH_SECONDS have passed since its last flush, and
when the process exits. A worker killed outright, or a flush the database refuses, loses
those seconds of counts; the per-request log line still records every call.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from datetime import datetime

from flask import current_app
from sqlalchemy import case

from memberportal.api.models import ApiUsage
from memberportal.core.db import dialect_insert, use_case
from memberportal.extensions import db

log = logging.getLogger(__name__)
usage = ApiUsage.__table__

_lock = threading.Lock()
_counts: dict[tuple[int, datetime], list] = {}  # (client, hour) -> [calls, errors, replays, last]
_flushed = time.monotonic()
_apps_flushed_at_exit: set[int] = set()


def count_call(client_id: int, status: int, *, replayed: bool, now: datetime) -> None:
    """Count one answered call; add the tally to the database when it is due."""
    global _flushed
    hour = now.replace(minute=0, second=0, microsecond=0)
    with _lock:
        tally = _counts.setdefault((client_id, hour), [0, 0, 0, now])
        tally[0] += 1
        tally[1] += status >= 400
        tally[2] += bool(replayed)
        tally[3] = max(tally[3], now)
        due = time.monotonic() - _flushed >= current_app.config["API_USAGE_FLUSH_SECONDS"]
        if due:
            _flushed = time.monotonic()
    _flush_at_exit(current_app._get_current_object())
    if due:
        flush_usage()


def flush_usage() -> int:
    """Add this worker's tally to api_usage; return how many (client, hour) rows it touched.
    If the database refuses, these counts are dropped (and the failure logged): usage
    figures must never fail or hold up an answer."""
    with _lock:
        taken = dict(_counts)
        _counts.clear()
    if not taken:
        return 0
    try:
        _add(taken)
    except Exception:
        log.exception("API usage counts of %d client-hours could not be saved", len(taken))
        return 0
    return len(taken)


@use_case
def _add(counts: dict[tuple[int, datetime], list]) -> None:
    """One UPSERT per (client, hour), in key order, so two workers never wait on each other
    in opposite orders."""
    for (client_id, hour), (calls, errors, replays, last) in sorted(counts.items()):
        statement = dialect_insert(usage).values(
            client_id=client_id, hour=hour, calls=calls, errors=errors, replays=replays,
            last_at=last,
        )  # fmt: skip
        new = statement.excluded
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=["client_id", "hour"],
                set_={
                    "calls": usage.c.calls + new.calls,
                    "errors": usage.c.errors + new.errors,
                    "replays": usage.c.replays + new.replays,
                    "last_at": case(
                        (new.last_at > usage.c.last_at, new.last_at), else_=usage.c.last_at
                    ),
                },
            )
        )


def _flush_at_exit(app) -> None:
    """Flush what is left when the worker stops (once per app)."""
    if id(app) in _apps_flushed_at_exit:
        return
    _apps_flushed_at_exit.add(id(app))

    def flush() -> None:
        with app.app_context():
            flush_usage()

    atexit.register(flush)
