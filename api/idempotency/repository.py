"""The only code that reads and writes the idempotency keys collection."""

import hashlib
from datetime import datetime
from typing import Any, TypedDict

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from api.database import collection_of
from api.scope import Scope
from models.contact import utc_now
from models.idempotency import IdempotencyRecord

Document = dict[str, Any]


class Claim(TypedDict):
    """A key's claim: the fingerprint of the request that made it, when, and its result once it finished."""

    fingerprint: str
    created_at: datetime
    result: Document | None


def collection() -> AsyncCollection[Document]:
    """The idempotency keys collection."""
    return collection_of(IdempotencyRecord)


def _where(scope: Scope, key: str) -> Document:
    # The id is a digest of the tenant and the key, so it is scoped by itself; a filter on `_id` alone is also
    # what the embedded database serves without probing the collection.
    return {"_id": hashlib.sha256(f"{scope.tenant}\0{key}".encode()).hexdigest()}


async def find(scope: Scope, key: str) -> Claim | None:
    """The claim on `key` in this scope, if any."""
    found = await collection().find_one(_where(scope, key))
    if found is None:
        return None
    return {"fingerprint": found["fingerprint"], "created_at": found["created_at"], "result": found.get("body")}


async def claim(scope: Scope, key: str, fingerprint: str) -> bool:
    """Claim `key` for a request; False when another request holds it."""
    record = _where(scope, key) | scope.where(fingerprint=fingerprint, created_at=utc_now())
    try:
        await collection().insert_one(record)
    except DuplicateKeyError:
        return False
    return True


async def complete(scope: Scope, key: str, result: Document) -> None:
    """Store the result of the request that holds the claim on `key`."""
    await collection().update_one(_where(scope, key), {"$set": {"body": result}})


async def release(scope: Scope, key: str, *, created_before: datetime | None = None) -> None:
    """Drop the claim on `key` (only if it was made before `created_before`, when given)."""
    where = _where(scope, key)
    if created_before is not None:
        where["created_at"] = {"$lt": created_before}
    await collection().delete_one(where)
