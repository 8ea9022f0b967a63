"""API keys: each maps a caller to a tenant. Only a digest of the key is stored, never the key."""

from datetime import datetime
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel


class ApiKey(Document):
    """One key: its public id, its tenant and label, and the SHA-256 of the key itself."""

    id: str  # type: ignore[assignment]
    tenant: str
    label: str | None = None
    secret_sha256: str
    created_at: datetime
    revoked_at: datetime | None = None

    class Settings:
        name = "api_keys"
        keep_nulls = False
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("tenant", ASCENDING), ("created_at", ASCENDING)])]
