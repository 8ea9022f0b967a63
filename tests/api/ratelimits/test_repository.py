"""The rate-limit counters: atomic across workers, one window at a time, gone when it ends."""

import asyncio
import time

import pytest

from api.ratelimits.repository import SYNC_SECONDS, CounterStorage

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


async def stored_hits(key: str) -> int:
    """The hits of `key`'s window in the database, as a worker that has counted none of them reads them."""
    return await CounterStorage().get(key)


async def test_below_exact_from_hits_are_counted_here_and_sent_with_the_next_sync() -> None:
    storage = CounterStorage(exact_from=1000)

    counts = [await storage.incr("batched", expiry=60) for _ in range(50)]
    before_a_sync = await stored_hits("batched")
    await asyncio.sleep(SYNC_SECONDS + 0.05)
    synced = await storage.incr("batched", expiry=60)

    assert counts == list(range(1, 51))  # this worker's count is exact
    assert 1 <= before_a_sync < 50  # the first hit of the window went to the database, most did not
    assert synced == 51
    assert await stored_hits("batched") == 51


async def test_from_exact_from_on_every_hit_is_counted_in_the_database() -> None:
    storage = CounterStorage(exact_from=5)

    stored = []
    for _ in range(10):
        await storage.incr("near-the-limit", expiry=60)
        stored.append(await stored_hits("near-the-limit"))

    assert stored[4:] == [5, 6, 7, 8, 9, 10]


async def test_each_worker_sends_its_hits_at_its_next_sync_and_then_sees_everything_sent() -> None:
    first, second = CounterStorage(exact_from=1000), CounterStorage(exact_from=1000)
    for _ in range(10):
        await first.incr("two-workers", expiry=60)
        await second.incr("two-workers", expiry=60)
    await asyncio.sleep(SYNC_SECONDS + 0.05)

    seen = await first.incr("two-workers", expiry=60), await second.incr("two-workers", expiry=60)

    # Each sent its first hit at once and 9 at this sync: the first saw 2 + 10, the second all 22.
    assert seen == (12, 22)
    assert await stored_hits("two-workers") == 22


@pytest.mark.slow
async def test_a_window_counted_here_starts_over_when_it_ends() -> None:
    storage = CounterStorage(exact_from=1000)

    counts = [await storage.incr("short", expiry=1) for _ in range(3)]
    await asyncio.sleep(1.1)
    after = await storage.incr("short", expiry=1)

    assert (counts, after) == ([1, 2, 3], 1)
    assert await stored_hits("short") == 1
