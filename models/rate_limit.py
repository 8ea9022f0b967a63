"""Rate-limit counters, shared by every worker: one document per key and window, gone once it expires."""

from datetime import datetime
from typing import ClassVar

from beanie import Document
from pymongo import IndexModel


class RateLimitCounter(Document):
    """How many requests (hits) a key made in the current window, and when the window ends."""

    id: str  # type: ignore[assignment]
    hits: int
    expires_at: datetime

    class Settings:
        name = "rate_limits"
        indexes: ClassVar[list[IndexModel]] = [IndexModel("expires_at", expireAfterSeconds=0)]
