"""Remembered responses of requests sent with an `Idempotency-Key`, kept for 24 hours."""

from datetime import datetime, timedelta
from typing import Any, ClassVar

from beanie import Document
from pydantic import Field
from pymongo import IndexModel

IDEMPOTENCY_WINDOW = timedelta(hours=24)


class IdempotencyRecord(Document):
    """One key's request fingerprint and, once it finished, its response; `status` is None while in flight."""

    id: str  # type: ignore[assignment]
    tenant: str
    fingerprint: str
    created_at: datetime
    status: int | None = None
    body: dict[str, Any] | None = None
    headers: dict[str, str] = Field(default_factory=dict)

    class Settings:
        name = "idempotency_keys"
        keep_nulls = False
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel("created_at", expireAfterSeconds=int(IDEMPOTENCY_WINDOW.total_seconds()))
        ]
