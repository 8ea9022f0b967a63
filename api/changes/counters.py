"""The only code that touches the change counters: the numbers that order each tenant's changes."""

from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from api.database import collection_of
from api.scope import Scope
from models.change_counter import ChangeCounter


def _counters() -> AsyncCollection[dict[str, Any]]:
    return collection_of(ChangeCounter)


async def allocate(scope: Scope, count: int = 1) -> int:
    """Reserve `count` consecutive change numbers for this tenant; the first of them.

    A number reserved by a write that then fails or dies is never used: a gap the feed steps over once it is
    older than a write can take (api/changes/service.py).
    """
    counter = await _counters().find_one_and_update(
        {"_id": scope.tenant}, {"$inc": {"seq": count}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    if counter is None:  # an upsert returns the document; a database that does not is unusable here
        raise RuntimeError("the database returned no change counter after an upsert")
    return int(counter["seq"]) - count + 1


async def read(scope: Scope) -> tuple[int, int]:
    """The tenant's last change number, and the number through which its deletions have been purged."""
    counter = await _counters().find_one({"_id": scope.tenant})
    if counter is None:
        return 0, 0
    return int(counter.get("seq", 0)), int(counter.get("purged_through", 0))


async def mark_purged(tenant: str, through: int) -> None:
    """Record that deletions numbered up to `through` are being purged: older sync tokens expire."""
    await _counters().update_one({"_id": tenant}, {"$max": {"purged_through": through}}, upsert=True)


async def tenants() -> list[str]:
    """Every tenant that ever changed a contact (the purge walks them)."""
    return [counter["_id"] async for counter in _counters().find({}, {"_id": 1})]
