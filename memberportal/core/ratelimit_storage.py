"""An in-process store for the rate limits that drops expired counters lazily.

The store behind `memory://` in the limits library starts a timer thread every 10 ms while
requests arrive, to drop expired counters; under load that cost an API worker a quarter of its
CPU (bench/api_bench.py). This one drops a counter when it is next used and sweeps the others
at most once a minute, on the calling thread. Fixed windows only, which is all this app uses.
It is the default (`lazymemory://`); RATELIMIT_STORAGE_URI=redis://... shares the counts
between workers, as before.

`window_counter` counts a hit and reads back its window's end in one call (one Redis round
trip instead of the three that a hit and the limit headers took).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from limits.storage import RedisStorage, Storage

# (key, expiry seconds, amount) -> (count in the window, when the window ends: epoch seconds)
WindowCounter = Callable[[str, int, int], tuple[int, float]]


class LazyMemoryStorage(Storage):
    STORAGE_SCHEME = ["lazymemory"]
    SWEEP_EVERY = 60.0  # seconds between sweeps of counters nobody asked for again

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        self._counts: dict[str, int] = {}
        self._expires: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_sweep = time.time() + self.SWEEP_EVERY
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add `amount` to the key's counter, starting a window of `expiry` seconds if none is
        open; return the new count."""
        return self.incr_in_window(key, expiry, amount)[0]

    def incr_in_window(self, key: str, expiry: float, amount: int = 1) -> tuple[int, float]:
        """As incr, and when the window ends: (new count, end as epoch seconds)."""
        now = time.time()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            if self._expires.get(key, 0) <= now:
                self._counts[key] = 0
                self._expires[key] = now + expiry
            self._counts[key] += amount
            return self._counts[key], self._expires[key]

    def get(self, key: str) -> int:
        with self._lock:
            if self._expires.get(key, 0) <= time.time():
                return 0
            return self._counts.get(key, 0)

    def get_expiry(self, key: str) -> float:
        with self._lock:
            return self._expires.get(key, time.time())

    def check(self) -> bool:
        return True

    def reset(self) -> int:
        with self._lock:
            count = len(self._counts)
            self._counts.clear()
            self._expires.clear()
            return count

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)
            self._expires.pop(key, None)

    def keys_held(self) -> int:
        """How many counters are kept (an empty store must stay truthy: no __len__)."""
        return len(self._counts)

    def _sweep(self, now: float) -> None:
        for key in [key for key, at in self._expires.items() if at <= now]:
            del self._expires[key]
            self._counts.pop(key, None)
        self._next_sweep = now + self.SWEEP_EVERY


# limits' own fixed-window increment (incr_expire.lua), returning the key's time to live too.
_INCR_IN_WINDOW = """
local amount = tonumber(ARGV[2])
local current = redis.call("incrby", KEYS[1], amount)
if tonumber(current) == amount then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("ttl", KEYS[1])}
"""


def window_counter(storage: Storage) -> WindowCounter | None:
    """A fixed-window hit that also returns the window's end, in one call to the storage, for
    the stores this app uses (lazymemory, Redis); None for others. It counts under the same
    keys, with the same expiry rule, as limits' FixedWindowRateLimiter.hit on that storage.
    On Redis the increment and the read are one atomic script, so workers sharing the store
    count exactly."""
    if isinstance(storage, LazyMemoryStorage):
        return storage.incr_in_window
    if type(storage) is not RedisStorage:  # cluster and sentinel variants: not needed here
        return None
    script = storage.get_connection().register_script(_INCR_IN_WINDOW)

    def incr_in_window(key: str, expiry: int, amount: int = 1) -> tuple[int, float]:
        count, ttl = script([storage.prefixed_key(key)], [expiry, amount])
        return int(count), max(int(ttl), 0) + time.time()  # as RedisStorage.get_expiry

    return incr_in_window
