"""A pair of contacts a client said are not one person: the duplicate finder never links them."""

from datetime import datetime
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel


class DuplicateDismissal(Document):
    """`id` is "<tenant>:<first id>:<second id>" (ids in order), so dismissing a pair twice stores it once."""

    id: str  # type: ignore[assignment]
    tenant: str
    contact_ids: list[str]
    at: datetime
    key_id: str | None = None

    class Settings:
        name = "duplicate_dismissals"
        keep_nulls = False
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("tenant", ASCENDING), ("_id", ASCENDING)])]
