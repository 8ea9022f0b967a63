"""Admitting a key's request: its rate (shared by every worker) and its concurrent requests (per worker)."""

import contextlib
import math
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from http import HTTPStatus

from limits import parse
from limits.aio.strategies import FixedWindowRateLimiter

from api.errors import ApiError
from api.ratelimits.repository import CounterStorage


class TooManyRequests(ApiError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    type = "/problems/rate-limited"


@dataclass(frozen=True, slots=True)
class Quota:
    """Where a key stands in its rate window: for the RateLimit-* headers."""

    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        """RateLimit-Limit, -Remaining and -Reset (seconds until the window ends)."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class Guard:
    """Admits a key's requests: at most `rate` per window across workers, `concurrent` at once in this one."""

    def __init__(self, rate: str, concurrent: int) -> None:
        self.item = parse(rate)
        # The last tenth of each window is counted hit by hit in the database (CounterStorage).
        self.limiter = FixedWindowRateLimiter(CounterStorage(exact_from=self.item.amount - self.item.amount // 10))
        self.concurrent = concurrent
        self.running: Counter[str] = Counter()

    async def take(self, key_id: str) -> Quota:
        """Count one request of `key_id`; a 429 with Retry-After when its window is used up."""
        allowed = await self.limiter.hit(self.item, key_id)
        stats = await self.limiter.get_window_stats(self.item, key_id)
        quota = Quota(self.item.amount, stats.remaining, max(0, math.ceil(stats.reset_time - time.time())))
        if not allowed:
            headers = quota.headers() | {"Retry-After": str(max(1, quota.reset_seconds))}
            raise TooManyRequests(f"This key made {self.item.amount} requests in the window; retry later.", headers)
        return quota

    @contextlib.asynccontextmanager
    async def slot(self, key_id: str) -> AsyncIterator[None]:
        """Hold one of the key's concurrent slots; a 429 when all are taken."""
        if self.running[key_id] >= self.concurrent:
            raise TooManyRequests(
                f"This key has {self.concurrent} requests running; wait for one to finish.", {"Retry-After": "1"}
            )
        self.running[key_id] += 1
        try:
            yield
        finally:
            self.running[key_id] -= 1
            if not self.running[key_id]:
                del self.running[key_id]
