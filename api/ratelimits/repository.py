"""The only code that reads and writes the rate-limit counters: a `limits` storage on the service's database.

`limits` (a well-kept rate-limiting library) supplies the strategies, the rate syntax and the window
arithmetic; this storage keeps its fixed-window counters in MongoDB (or the embedded database), so every
worker and every replica counts the same hits. Its async MongoDB storage needs Motor, which Beanie 2 and
this service do not use, hence this one on PyMongo's async client.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from limits.aio.storage import Storage
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, PyMongoError

from api.database import collection_of
from models.contact import utc_now
from models.rate_limit import RateLimitCounter

Document = dict[str, Any]


def collection() -> AsyncCollection[Document]:
    """The rate-limit counters collection."""
    return collection_of(RateLimitCounter)


# How stale this worker's view of a key's window may get before a hit goes to the database anyway.
SYNC_SECONDS = 0.25
_MAX_WINDOWS = 10_000


@dataclass(slots=True)
class _Window:
    """This worker's view of a key's window: its hits in the database at the last sync, and its own since."""

    stored: int
    ends: datetime
    synced_at: float
    unsynced: int = 0

    def hits(self) -> int:
        return self.stored + self.unsynced


class CounterStorage(Storage):
    """Fixed-window counters, one document per key, each incremented atomically.

    A hit is counted in this worker and sent to the database with the next one that syncs: the first hit of
    a window, any hit SYNC_SECONDS after the last sync, and every hit once the window holds `exact_from`
    hits. Below that a request costs no round trip; from it on, every hit is counted in the database, so
    with one worker the count is exact, and with several a key can overshoot its limit by at most what the
    other workers admitted in their last SYNC_SECONDS. `get` and `get_expiry` (which `limits` asks right
    after `incr` to fill the RateLimit headers) answer from the same view.
    """

    STORAGE_SCHEME = None

    def __init__(self, exact_from: int = 0) -> None:
        super().__init__(wrap_exceptions=False)
        self.exact_from = exact_from
        self._windows: dict[str, _Window] = {}

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return PyMongoError

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` hits to the key's window, starting a window of `expiry` seconds if none is open."""
        window = self._current(key)
        if window is not None and self._may_count_here(window, amount):
            window.unsynced += amount
            return window.hits()
        pending = amount
        if window is not None:
            pending, window.unsynced = pending + window.unsynced, 0
        stored, ends = await self._add(key, expiry, pending)
        return self._synced(key, stored, ends).hits()

    def _may_count_here(self, window: _Window, amount: int) -> bool:
        fresh = time.monotonic() - window.synced_at < SYNC_SECONDS
        return fresh and window.hits() + amount < self.exact_from

    def _current(self, key: str) -> _Window | None:
        window = self._windows.get(key)
        return window if window is not None and window.ends > utc_now() else None

    def _synced(self, key: str, stored: int, ends: datetime) -> _Window:
        window = self._windows.get(key)
        if window is not None and window.ends == ends:  # the same window: keep the hits counted meanwhile
            window.stored, window.synced_at = max(window.stored, stored), time.monotonic()
            return window
        if len(self._windows) >= _MAX_WINDOWS:
            self._windows.clear()  # a bound on memory; each key's next hit syncs
        window = self._windows[key] = _Window(stored, ends, time.monotonic())
        return window

    async def _add(self, key: str, expiry: int, amount: int) -> tuple[int, datetime]:
        """Add `amount` to the key's window in the database; its hits and end afterwards."""
        for _ in range(3):
            now = utc_now()
            found = await collection().find_one_and_update(
                {"_id": key, "expires_at": {"$gt": now}},
                {"$inc": {"hits": amount}},
                return_document=ReturnDocument.AFTER,
            )
            if found is not None:
                return found["hits"], found["expires_at"]
            ends = now + timedelta(seconds=expiry)
            window = {"hits": amount, "expires_at": ends}
            restarted = await collection().update_one({"_id": key, "expires_at": {"$lte": now}}, {"$set": window})
            if restarted.modified_count == 1:
                return amount, ends
            try:
                await collection().insert_one({"_id": key, **window})
            except DuplicateKeyError:
                continue  # another worker opened the window first: count in it
            return amount, ends
        raise RuntimeError(f"rate-limit window of {key!r} kept changing")

    async def _window(self, key: str) -> tuple[int, datetime] | None:
        window = self._current(key)
        if window is not None:
            return window.hits(), window.ends
        found = await collection().find_one({"_id": key, "expires_at": {"$gt": utc_now()}})
        return (found["hits"], found["expires_at"]) if found is not None else None

    async def get(self, key: str) -> int:
        """The hits in the key's current window."""
        window = await self._window(key)
        return window[0] if window is not None else 0

    async def get_expiry(self, key: str) -> float:
        """When the key's current window ends (a Unix time)."""
        window = await self._window(key)
        return (window[1] if window is not None else utc_now()).timestamp()

    async def check(self) -> bool:
        """Whether the database answers."""
        try:
            await collection().database.command("ping")
        except PyMongoError:
            return False
        return True

    async def reset(self) -> int | None:
        """Forget every counter."""
        self._windows.clear()
        return (await collection().delete_many({})).deleted_count

    async def clear(self, key: str) -> None:
        """Forget one key's counter."""
        self._windows.pop(key, None)
        await collection().delete_one({"_id": key})
