"""The in-process rate-limit store: fixed windows, lazy expiry, exact counts under threads."""

import threading
from datetime import UTC, datetime

import time_machine
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from memberportal.core.ratelimit_storage import LazyMemoryStorage, window_counter

T0 = datetime(2026, 11, 17, 4, 0, tzinfo=UTC)


def test_the_scheme_names_this_store():
    assert isinstance(storage_from_string("lazymemory://"), LazyMemoryStorage)


def test_a_window_counts_then_starts_again():
    with time_machine.travel(T0, tick=False) as clock:
        store = LazyMemoryStorage()
        assert [store.incr("k", 60) for _ in range(3)] == [1, 2, 3]
        assert store.get("k") == 3 and store.get_expiry("k") == T0.timestamp() + 60
        clock.shift(59)
        assert store.incr("k", 60) == 4
        clock.shift(1)
        assert store.get("k") == 0
        assert store.incr("k", 60) == 1
        assert store.get_expiry("k") == T0.timestamp() + 120


def test_limits_strategy_refuses_the_call_over_the_limit():
    limiter = FixedWindowRateLimiter(LazyMemoryStorage())
    per_minute = RateLimitItemPerMinute(2)
    with time_machine.travel(T0, tick=False) as clock:
        assert [limiter.hit(per_minute, "till") for _ in range(3)] == [True, True, False]
        assert limiter.hit(per_minute, "other till")
        clock.shift(61)
        assert limiter.hit(per_minute, "till")


def test_counters_nobody_asks_for_are_swept_without_a_thread():
    threads_before = threading.active_count()
    with time_machine.travel(T0, tick=False) as clock:
        store = LazyMemoryStorage()
        for i in range(100):
            store.incr(f"once-{i}", 60)
        assert store.keys_held() == 100
        clock.shift(LazyMemoryStorage.SWEEP_EVERY + 61)
        store.incr("later", 60)
        assert store.keys_held() == 1
    assert threading.active_count() == threads_before


def test_clear_and_reset():
    store = LazyMemoryStorage()
    store.incr("a", 60), store.incr("b", 60)
    store.clear("a")
    assert store.get("a") == 0 and store.get("b") == 1
    assert store.reset() == 1 and store.get("b") == 0


def test_threads_counting_at_once_lose_no_hit():
    store = LazyMemoryStorage()
    barrier = threading.Barrier(8)

    def hit():
        barrier.wait()
        for _ in range(2000):
            store.incr("shared", 60)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("shared") == 16000


def test_a_hit_and_its_window_in_one_call_agree_with_the_strategy():
    per_minute = RateLimitItemPerMinute(2)
    key = per_minute.key_for("till")
    with time_machine.travel(T0, tick=False) as clock:
        store = LazyMemoryStorage()
        count = window_counter(store)
        assert count(key, 60, 1) == (1, T0.timestamp() + 60)
        clock.shift(30)
        assert count(key, 60, 1) == (2, T0.timestamp() + 60)
        strategy = FixedWindowRateLimiter(store)
        assert not strategy.hit(per_minute, "till")  # the same counter: 3 of 2
        assert strategy.get_window_stats(per_minute, "till") == (T0.timestamp() + 60, 0)
        clock.shift(31)
        assert count(key, 60, 1) == (1, T0.timestamp() + 121)
    assert window_counter(storage_from_string("memory://")) is None  # others: the strategy
