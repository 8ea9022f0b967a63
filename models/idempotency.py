"""Requests sent with an `Idempotency-Key`: the request's fingerprint and, once done, its result, kept 24 hours."""

from datetime import datetime, timedelta
from typing import Any, ClassVar

from beanie import Document
from pymongo import IndexModel

IDEMPOTENCY_WINDOW = timedelta(hours=24)


class IdempotencyRecord(Document):
    """One key's claim: `body` is None while its request is in flight, then the result to replay.

    `id` is a digest of the tenant and the key, so keys are per tenant and never stored as sent.
    """

    id: str  # type: ignore[assignment]
    tenant: str
    fingerprint: str
    created_at: datetime
    resource_id: str | None = None  # what the request creates, reserved before it does
    lease_until: datetime | None = None  # until then its request is presumed alive
    body: dict[str, Any] | None = None

    class Settings:
        name = "idempotency_keys"
        keep_nulls = False
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel("created_at", expireAfterSeconds=int(IDEMPOTENCY_WINDOW.total_seconds()))
        ]
