"""The rate-limit counters: atomic across workers, one window at a time, gone when it ends."""

import asyncio
import time

import pytest

from api.ratelimits.repository import CounterStorage

pytestmark = pytest.mark.usefixtures("bound_models")


@pytest.mark.slow
async def test_hits_count_up_within_a_window_and_start_over_after_it() -> None:
    storage = CounterStorage()

    counts = [await storage.incr("key", expiry=1) for _ in range(3)]
    await asyncio.sleep(1.1)
    after = await storage.incr("key", expiry=1)

    assert counts == [1, 2, 3]
    assert after == 1


async def test_two_workers_count_the_same_hits() -> None:
    first, second = CounterStorage(), CounterStorage()  # each worker has its own storage

    counts = await asyncio.gather(*(storage.incr("shared", expiry=60) for storage in (first, second) * 10))

    assert sorted(counts) == list(range(1, 21))
    assert await CounterStorage().get("shared") == 20


async def test_the_window_end_is_where_its_expiry_says() -> None:
    storage = CounterStorage()

    await storage.incr("key", expiry=30)
    ends = await CounterStorage().get_expiry("key")  # another worker: read from the database

    assert 28 <= ends - time.time() <= 31


async def test_clear_and_reset_forget_counters() -> None:
    storage = CounterStorage()
    await storage.incr("a", expiry=60)
    await storage.incr("b", expiry=60)

    await storage.clear("a")
    cleared = await storage.get("a")
    forgotten = await storage.reset()

    assert cleared == 0
    assert forgotten == 1
    assert await storage.check() is True
