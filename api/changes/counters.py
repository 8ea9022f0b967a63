"""The only code that touches the change counters: the numbers that order each tenant's changes."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from api.database import collection_of
from api.scope import Scope
from models.change_counter import ChangeCounter

# How many of the latest vacated numbers a counter keeps: enough to cover the changes of the last few seconds.
VACATED_KEPT = 500


@dataclass(frozen=True, slots=True)
class Counter:
    """A tenant's counter: its last change number, its purge horizon, and the numbers recently vacated."""

    seq: int = 0
    purged_through: int = 0
    vacated: frozenset[int] = frozenset()


def _counters() -> AsyncCollection[dict[str, Any]]:
    return collection_of(ChangeCounter)


async def allocate(scope: Scope, count: int = 1, vacated: Sequence[int] = ()) -> int:
    """Reserve `count` consecutive change numbers for this tenant; the first of them.

    `vacated` are the numbers the contacts about to change hold now: once changed, a contact holds only its new
    number, and the feed knows those gaps for what they are. A number reserved by a write that then fails or dies
    is never used: a gap the feed steps over once it is older than a write can take (api/changes/service.py).
    """
    update: dict[str, Any] = {"$inc": {"seq": count}}
    if vacated:
        update["$push"] = {"vacated": {"$each": list(vacated), "$slice": -VACATED_KEPT}}
    counter = await _counters().find_one_and_update(
        {"_id": scope.tenant}, update, {"seq": 1}, upsert=True, return_document=ReturnDocument.AFTER
    )
    if counter is None:  # an upsert returns the document; a database that does not is unusable here
        raise RuntimeError("the database returned no change counter after an upsert")
    return int(counter["seq"]) - count + 1


async def read(scope: Scope) -> Counter:
    """The tenant's counter."""
    found = await _counters().find_one({"_id": scope.tenant})
    if found is None:
        return Counter()
    return Counter(found.get("seq", 0), found.get("purged_through", 0), frozenset(found.get("vacated", ())))


async def mark_purged(tenant: str, through: int) -> None:
    """Record that deletions numbered up to `through` are being purged: older sync tokens expire."""
    await _counters().update_one({"_id": tenant}, {"$max": {"purged_through": through}}, upsert=True)


async def tenants() -> list[str]:
    """Every tenant that ever changed a contact (the purge walks them)."""
    return [counter["_id"] async for counter in _counters().find({}, {"_id": 1})]


async def expire_tokens(scope: Scope) -> None:
    """Expire every sync token handed out so far (the tenant's data was erased): clients must sync in full."""
    counter = await read(scope)
    await mark_purged(scope.tenant, counter.seq + 1)  # a token at `seq` has contacts that are gone: it expires too
