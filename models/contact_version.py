"""A contact's earlier versions: what each change replaced, kept for history and restore."""

from datetime import datetime
from typing import Any, ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel


class ContactVersion(Document):
    """Version `version` of a contact, copied here (`id` = "<contact id>.<version>") just before a change replaces
    it; the current version lives in the contact itself, so no history is written ahead of a change that may fail.
    """

    id: str  # type: ignore[assignment]
    tenant: str
    contact_id: str
    version: int
    at: datetime  # when this version was made
    kind: str  # created, updated, deleted, undeleted, restored, imported
    key_id: str | None = None  # the key that made it; None without keys
    patch: dict[str, Any] | None = None  # JSON merge patch from the version before; None for the first
    fields: dict[str, Any]  # the client's fields of this version (and its kept vCard properties)

    class Settings:
        name = "contact_versions"
        keep_nulls = False
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("tenant", ASCENDING), ("contact_id", ASCENDING), ("version", ASCENDING)]),
            IndexModel([("tenant", ASCENDING), ("_id", ASCENDING)]),  # the tenant export walks it
            IndexModel([("at", ASCENDING)]),  # the purge of versions older than HISTORY_RETENTION
        ]
