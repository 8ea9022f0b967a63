"""The only code that reads and writes the rate-limit counters: a `limits` storage on the service's database.

`limits` (a well-kept rate-limiting library) supplies the strategies, the rate syntax and the window
arithmetic; this storage keeps its fixed-window counters in MongoDB (or the embedded database), so every
worker and every replica counts the same hits. Its async MongoDB storage needs Motor, which Beanie 2 and
this service do not use, hence this one on PyMongo's async client.
"""

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


class CounterStorage(Storage):
    """Fixed-window counters, one document per key, each incremented atomically.

    `get` and `get_expiry` (which `limits` asks right after `incr` to fill the RateLimit headers) answer
    from this worker's latest `incr` of the key while its window lasts, so a request costs one round trip.
    """

    STORAGE_SCHEME = None

    def __init__(self) -> None:
        super().__init__(wrap_exceptions=False)
        self._latest: dict[str, tuple[int, datetime]] = {}

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return PyMongoError

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` hits to the key's window, starting a window of `expiry` seconds if none is open."""
        for _ in range(3):
            now = utc_now()
            found = await collection().find_one_and_update(
                {"_id": key, "expires_at": {"$gt": now}},
                {"$inc": {"hits": amount}},
                return_document=ReturnDocument.AFTER,
            )
            if found is not None:
                return self._remember(key, found["hits"], found["expires_at"])
            ends = now + timedelta(seconds=expiry)
            window = {"hits": amount, "expires_at": ends}
            restarted = await collection().update_one({"_id": key, "expires_at": {"$lte": now}}, {"$set": window})
            if restarted.modified_count == 1:
                return self._remember(key, amount, ends)
            try:
                await collection().insert_one({"_id": key, **window})
            except DuplicateKeyError:
                continue  # another worker opened the window first: count in it
            return self._remember(key, amount, ends)
        raise RuntimeError(f"rate-limit window of {key!r} kept changing")

    def _remember(self, key: str, hits: int, expires_at: datetime) -> int:
        self._latest[key] = (hits, expires_at)
        if len(self._latest) > 10_000:
            self._latest.clear()  # a bound on memory; the next request of each key reads the database
        return hits

    async def _window(self, key: str) -> tuple[int, datetime] | None:
        now = utc_now()
        latest = self._latest.get(key)
        if latest is not None and latest[1] > now:
            return latest
        found = await collection().find_one({"_id": key, "expires_at": {"$gt": now}})
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
        self._latest.clear()
        return (await collection().delete_many({})).deleted_count

    async def clear(self, key: str) -> None:
        """Forget one key's counter."""
        self._latest.pop(key, None)
        await collection().delete_one({"_id": key})
