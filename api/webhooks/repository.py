"""The only code that reads and writes webhook subscriptions and their deliveries."""

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from api.database import collection_of, delete_in_batches
from api.scope import Scope
from models.contact import is_contact_id, new_contact_id, utc_now
from models.webhook import Webhook, WebhookDelivery

Document = dict[str, Any]


def webhooks() -> AsyncCollection[Document]:
    """The subscriptions."""
    return collection_of(Webhook)


def deliveries() -> AsyncCollection[Document]:
    """The deliveries."""
    return collection_of(WebhookDelivery)


def delivery_id(webhook_id: str, seq: int, feed: str = "") -> str:
    """A delivery's id: its subscription's, its feed ("" contacts, "g" groups) and its change number (12 digits,
    so they sort in feed order)."""
    return f"{webhook_id}:{feed}{seq:012d}"


async def insert(scope: Scope, fields: Document, nonce: str, cursor: int, group_cursor: int) -> Document:
    """Store a new subscription that starts after change number `cursor` (`group_cursor` for groups)."""
    now = utc_now()
    document = scope.where(_id=new_contact_id(), **fields) | {
        "enabled": True,
        "secret_nonce": nonce,
        "cursor": cursor,
        "group_cursor": group_cursor,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    await webhooks().insert_one(document)
    return document


async def find(scope: Scope, webhook_id: str) -> Document | None:
    """The tenant's subscription `webhook_id`, or None."""
    if not is_contact_id(webhook_id):
        return None
    return await webhooks().find_one(scope.where(_id=webhook_id))


async def find_page(scope: Scope, limit: int, after: str | None) -> list[Document]:
    """Up to `limit` of the tenant's subscriptions, oldest first, after id `after`."""
    where = scope.where(**({"_id": {"$gt": after}} if after else {}))
    return await webhooks().find(where).sort("_id", 1).limit(limit).to_list()


async def update(scope: Scope, current: Document, changes: Document) -> Document | None:
    """Apply `changes` ($set) to `current`, conditional on its version; None if it changed meanwhile."""
    update: Document = {"$set": changes | {"updated_at": utc_now()}, "$inc": {"version": 1}}
    if changes.get("enabled") is True:
        update["$unset"] = {"disabled_reason": ""}
    return await webhooks().find_one_and_update(
        scope.where(_id=current["_id"], version=current["version"]), update, return_document=ReturnDocument.AFTER
    )


async def delete(scope: Scope, current: Document) -> bool:
    """Delete the subscription and its deliveries."""
    deleted = await webhooks().delete_one(scope.where(_id=current["_id"]))
    await delete_in_batches(deliveries(), {"webhook_id": current["_id"]})
    return deleted.deleted_count == 1


async def enabled() -> list[Document]:
    """Every enabled subscription, of every tenant (the workers' round)."""
    return await webhooks().find({"enabled": True}).to_list()


async def advance(webhook: Document, through: int, field: str = "cursor") -> None:
    """Move the subscription's cursor (`field`) to `through`, unless another worker moved it first."""
    await webhooks().update_one({"_id": webhook["_id"], field: webhook.get(field, 0)}, {"$set": {field: through}})


async def add_deliveries(new: list[Document]) -> None:
    """Store deliveries not stored yet (making one twice stores it once)."""
    if new:
        await deliveries().bulk_write(
            [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d}, upsert=True) for d in new], ordered=False
        )


async def claim(webhook_id: str, worker: str, until: datetime) -> bool:
    """Take the subscription's sending lease for `worker` until `until`, if no other worker holds one."""
    now = utc_now()
    free = {"$or": [{"lease_until": {"$lt": now}}, {"lease_until": None}, {"lease_by": worker}]}
    result = await webhooks().update_one(
        {"_id": webhook_id, "enabled": True, **free}, {"$set": {"lease_until": until, "lease_by": worker}}
    )
    return result.modified_count == 1


async def release(webhook_id: str, worker: str) -> None:
    """Give the lease back."""
    await webhooks().update_one({"_id": webhook_id, "lease_by": worker}, {"$set": {"lease_until": utc_now()}})


async def pending(webhook_id: str, limit: int) -> list[Document]:
    """The subscription's oldest `limit` pending deliveries (feed order)."""
    where = {"webhook_id": webhook_id, "status": "pending"}
    return await deliveries().find(where).sort("_id", 1).limit(limit).to_list()


async def record_attempts(outcomes: list[tuple[Document, Document]]) -> None:
    """Record each attempt's outcome (its changes to the delivery), in one round trip."""
    if outcomes:
        updates = [UpdateOne({"_id": d["_id"]}, {"$set": changes, "$inc": {"attempts": 1}}) for d, changes in outcomes]
        await deliveries().bulk_write(updates, ordered=True)


async def disable(webhook_id: str, reason: str) -> None:
    """Turn the subscription off (its deliveries kept failing)."""
    await webhooks().update_one(
        {"_id": webhook_id},
        {"$set": {"enabled": False, "disabled_reason": reason, "updated_at": utc_now()}, "$inc": {"version": 1}},
    )


async def find_deliveries(scope: Scope, webhook_id: str, limit: int, before: str | None) -> list[Document]:
    """Up to `limit` of a subscription's deliveries, newest first, before id `before`."""
    where = scope.where(webhook_id=webhook_id, **({"_id": {"$lt": before}} if before else {}))
    return await deliveries().find(where).sort("_id", -1).limit(limit).to_list()


async def find_delivery(scope: Scope, webhook_id: str, delivery: str) -> Document | None:
    """One delivery of the tenant's subscription, or None."""
    return await deliveries().find_one(scope.where(_id=delivery, webhook_id=webhook_id))


async def redeliver(delivery: Document) -> None:
    """Send the delivery again, as soon as the ones before it are done (same message id)."""
    await deliveries().update_one(
        {"_id": delivery["_id"]}, {"$set": {"status": "pending", "next_attempt_at": utc_now(), "retry_from": utc_now()}}
    )


async def erase_deliveries(scope: Scope) -> int:
    """Delete the tenant's deliveries (they hold contacts); its subscriptions stay, like its keys."""
    return await delete_in_batches(deliveries(), scope.where())
