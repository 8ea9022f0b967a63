"""The locks that make a merge all-or-nothing without transactions.

A merge locks its sources: it moves them to a partition of their tenant named after the merge (`Scope.merging`),
noting the survivor, the merge's op id and an expiry in `merging`. It writes the survivor with the op id among
its `merge_ops`, then turns the locked sources into tombstones. Every other write of a contact is conditional on
its tenant, so nothing changes a source between the merge's read and its tombstone, and the locks cost no
predicate the indexes do not serve.

A merge cut short leaves its locks. Once one has expired, the next write that meets it settles it: if the
survivor took the merge (its `merge_ops` holds the op), the source becomes the tombstone it was meant to be;
if not, the lock is removed and the source is as it was.
"""

from datetime import datetime, timedelta
from typing import Any

from pymongo import UpdateOne

from api.contacts import repository, writes
from api.contacts.repository import collection
from api.database import any_of
from api.scope import Scope
from models.contact import utc_now

Document = dict[str, Any]
ROUND_TRIPS = 6  # a merge's own: read, lock, archive, change number, survivor, tombstones (and their counts)


def expiry(sources: int, db_timeout: float) -> datetime:
    """When a lock taken now is surely not held by a merge still under way: twice its round trips' deadlines."""
    return utc_now() + timedelta(seconds=2 * (ROUND_TRIPS + sources) * db_timeout)


async def lock(scope: Scope, sources: list[Document], survivor_id: str, op: str, expires: datetime) -> bool:
    """Lock every source as it was read, for merge `op`; False (and nothing locked) if one changed meanwhile."""
    held = {"tenant": scope.merging_partition(op), "merging": {"into": survivor_id, "op": op, "expires": expires}}
    updates = [
        UpdateOne(scope.where(_id=source["_id"], version=source["version"]), {"$set": held}) for source in sources
    ]
    result = await collection().bulk_write(updates, ordered=False)
    if result.modified_count == len(sources):
        return True
    await unlock(scope, [source["_id"] for source in sources], op)
    return False


async def unlock(scope: Scope, contact_ids: list[str], op: str) -> None:
    """Remove merge `op`'s locks from these contacts."""
    where = scope.merging(op, **any_of("_id", contact_ids))
    await collection().update_many(where, {"$set": {"tenant": scope.tenant}, "$unset": {"merging": ""}})


async def settle(scope: Scope, contact: Document) -> bool:
    """Finish or undo the merge that locked `contact`, if its lock expired; True if it did (read it again)."""
    held = contact.get("merging")
    if held is None or held["expires"] > utc_now():
        return False
    survivor = await repository.find_owned(scope, held["into"])
    if survivor is not None and held["op"] in survivor.get("merge_ops", ()):
        await writes.trash_many(scope, [contact], merged_into=held["into"], merge_op=held["op"])
    else:
        await unlock(scope, [contact["_id"]], held["op"])
    return True
