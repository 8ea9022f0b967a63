"""The only code that reads and writes the API keys collection."""

from datetime import datetime
from typing import Any, TypedDict

from pymongo.asynchronous.collection import AsyncCollection

from api.database import collection_of
from models.api_key import ApiKey

Document = dict[str, Any]


class KeyRecord(TypedDict):
    """A stored key: never the key itself, only its digest."""

    id: str
    tenant: str
    label: str | None
    secret_sha256: str
    created_at: datetime
    revoked_at: datetime | None


def collection() -> AsyncCollection[Document]:
    """The API keys collection."""
    return collection_of(ApiKey)


def _record(document: Document) -> KeyRecord:
    return {
        "id": document["_id"],
        "tenant": document["tenant"],
        "label": document.get("label"),
        "secret_sha256": document["secret_sha256"],
        "created_at": document["created_at"],
        "revoked_at": document.get("revoked_at"),
    }


async def insert(record: KeyRecord) -> None:
    """Store a new key."""
    document = {"_id": record["id"], **{key: value for key, value in record.items() if key != "id"}}
    await collection().insert_one({key: value for key, value in document.items() if value is not None})


async def find(key_id: str) -> KeyRecord | None:
    """The key with this public id."""
    found = await collection().find_one({"_id": key_id})
    return _record(found) if found is not None else None


async def find_all(tenant: str | None = None) -> list[KeyRecord]:
    """Every key (of one tenant), oldest first."""
    where = {} if tenant is None else {"tenant": tenant}
    return [_record(document) async for document in collection().find(where).sort([("created_at", 1)])]


async def revoke(key_id: str, at: datetime) -> bool:
    """Mark a key revoked; False when there is no such key or it was revoked already."""
    result = await collection().update_one({"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": at}})
    return result.modified_count == 1
