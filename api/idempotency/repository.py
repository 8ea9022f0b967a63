"""The only code that reads and writes the idempotency keys collection."""

import hashlib
from datetime import datetime
from typing import Any, TypedDict

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from api.database import collection_of, delete_in_batches
from api.scope import Scope
from models.contact import utc_now
from models.idempotency import IdempotencyRecord

Document = dict[str, Any]


class Claim(TypedDict):
    """A key's claim: the request's fingerprint, when it was made, the id of what it creates, how long its
    holder may work before another request may take over, and the result once it finished."""

    fingerprint: str
    created_at: datetime
    resource_id: str | None
    lease_until: datetime
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
    return Claim(
        fingerprint=found["fingerprint"],
        created_at=found["created_at"],
        resource_id=found.get("resource_id"),
        lease_until=found.get("lease_until") or found["created_at"],  # claims made before leases existed
        result=found.get("body"),
    )


async def claim(scope: Scope, key: str, fingerprint: str, resource_id: str, lease_until: datetime) -> bool:
    """Claim `key` for a request that will create `resource_id`; False when another request holds it."""
    record = _where(scope, key) | scope.where(
        fingerprint=fingerprint, created_at=utc_now(), resource_id=resource_id, lease_until=lease_until
    )
    try:
        await collection().insert_one(record)
    except DuplicateKeyError:
        return False
    return True


async def take_over(scope: Scope, key: str, expired_lease: datetime, lease_until: datetime) -> bool:
    """Take over a claim whose lease ended at `expired_lease`; False when another request took it first."""
    where = _where(scope, key) | {"lease_until": expired_lease, "body": None}
    result = await collection().update_one(where, {"$set": {"lease_until": lease_until}})
    return result.modified_count == 1


async def end_lease(scope: Scope, key: str) -> None:
    """Let a retry take the claim over at once (its holder failed)."""
    await collection().update_one(_where(scope, key), {"$set": {"lease_until": utc_now()}})


async def complete(scope: Scope, key: str, result: Document) -> None:
    """Store the result of the request that holds the claim on `key`."""
    await collection().update_one(_where(scope, key), {"$set": {"body": result}})


async def release(scope: Scope, key: str, *, created_before: datetime) -> None:
    """Drop the claim on `key` if it was made before `created_before` (it has expired)."""
    await collection().delete_one(_where(scope, key) | {"created_at": {"$lt": created_before}})


async def erase(scope: Scope) -> int:
    """Forget every idempotency key of the tenant (its results hold its contacts); how many."""
    return await delete_in_batches(collection(), scope.where())
