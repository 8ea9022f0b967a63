"""The only code that reads and writes the groups collection, and the contacts' memberships.

Every query is scoped (`Scope.where`). A group's name is unique in its tenant ignoring case: a unique index on
`unique_name` enforces it; `(tenant, name_key, _id)` serves the listing by name.
"""

from collections.abc import AsyncIterator
from typing import Any

from pymongo import ReturnDocument

from api.changes import counters
from api.contacts.repository import collection as contacts
from api.database import any_of, delete_in_batches, in_batches, walk
from api.groups.counts import collection
from api.scope import Scope
from models.contact import GROUPS_FIELD, is_contact_id, new_contact_id, utc_now
from models.group import GroupFields, unique_name_of

Document = dict[str, Any]
GROUP_FEED = ":groups"  # the counter of a tenant's group changes
DELETED_SUFFIX = ":deleted"  # a deleted group's partition of its tenant
# Contacts changed per round trip: each one rewrites the contact and its indexes (~5 ms on the embedded database),
# so a batch stays well inside DB_TIMEOUT.
WRITE_BATCH = 20
SHOWN = ("name", "description", "member_count", "created_at", "updated_at", "version")


def to_view(document: Document) -> dict[str, Any]:
    """A stored group as the API shows it."""
    return {"id": document["_id"]} | {field: document.get(field) for field in SHOWN}


def stored_fields(scope: Scope, fields: GroupFields) -> Document:
    """What a write stores of the client's fields: them (absent when unset) and the folded name."""
    unique_name = unique_name_of(scope.tenant, fields.name)
    return fields.model_dump(exclude_none=True) | {"name_key": fields.name.casefold(), "unique_name": unique_name}


def feed_scope(scope: Scope) -> Scope:
    """Where the tenant's group change numbers are counted (tenant names never contain ':')."""
    return Scope(scope.tenant + GROUP_FEED)


async def _next_seq(scope: Scope, current: Document | None = None) -> int:
    """A change number for a group change (the one it held is vacated), taken before the change is written."""
    vacated = [current["seq"]] if current is not None and "seq" in current else []
    return await counters.allocate(feed_scope(scope), vacated=vacated)


async def insert(scope: Scope, fields: GroupFields) -> Document:
    """Store a new group (DuplicateKeyError when its name is taken)."""
    seq = await _next_seq(scope)
    now = utc_now()
    document = scope.where(_id=new_contact_id(), **stored_fields(scope, fields)) | {
        "member_count": 0,
        "pending": [],
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "owner": scope.tenant,
        "seq": seq,
        "first_seq": seq,
    }
    await collection().insert_one(document)
    return document


async def find(scope: Scope, group_id: str) -> Document | None:
    """The group with `group_id` in this scope; None when there is none (or the id is malformed)."""
    if not is_contact_id(group_id):
        return None
    return await collection().find_one(scope.where(_id=group_id))


async def find_page(scope: Scope, limit: int, after: tuple[str, str] | None) -> list[Document]:
    """Up to `limit` groups by folded name (then id), after `after`."""
    where = scope.where()
    if after is not None:
        name_key, last_id = after
        where["$or"] = [{"name_key": {"$gt": name_key}}, {"name_key": name_key, "_id": {"$gt": last_id}}]
    return await collection().find(where).sort([("name_key", 1), ("_id", 1)]).limit(limit).to_list()


async def update(scope: Scope, current: Document, fields: GroupFields) -> Document | None:
    """Set the client's fields of `current`, conditional on its version; None if it changed meanwhile."""
    seq = await _next_seq(scope, current)
    changes = stored_fields(scope, fields) | {"updated_at": utc_now(), "seq": seq}
    update: Document = {"$set": changes, "$inc": {"version": 1}}
    if fields.description is None:
        update["$unset"] = {"description": ""}
    return await collection().find_one_and_update(
        scope.where(_id=current["_id"], version=current["version"]), update, return_document=ReturnDocument.AFTER
    )


async def delete(scope: Scope, current: Document) -> bool:
    """Delete the group `current` unless it changed meanwhile. Its members keep its id, unseen: ids are never reused.

    It stays as a tombstone in the tenant's deleted partition (its name free again), so the group feed can tell.
    """
    seq = await _next_seq(scope, current)
    now = utc_now()
    gone = {"tenant": scope.tenant + DELETED_SUFFIX, "unique_name": f"{scope.tenant}{DELETED_SUFFIX}:{current['_id']}"}
    result = await collection().update_one(
        scope.where(_id=current["_id"], version=current["version"]),
        {"$set": gone | {"deleted_at": now, "updated_at": now, "seq": seq}, "$inc": {"version": 1}},
    )
    return result.modified_count == 1


async def find_changed(scope: Scope, since: int, limit: int, keep: tuple[str, ...] = ()) -> list[Document]:
    """Up to `limit` of the tenant's groups, live or deleted, changed after group change number `since`, in order."""
    del keep  # a group has nothing hidden the feed needs
    cursor = collection().find({"owner": scope.tenant, "seq": {"$gt": since}}).sort("seq", 1).limit(limit)
    return await cursor.to_list()


async def memberships(scope: Scope, contact_ids: list[str]) -> dict[str, list[str]]:
    """The groups each of the live contacts named belongs to, by contact id (absent: no such contact)."""
    found: dict[str, list[str]] = {}
    wanted = sorted({contact_id for contact_id in contact_ids if is_contact_id(contact_id)})
    for batch in in_batches(wanted):
        async for document in contacts().find(scope.where(**any_of("_id", batch)), {GROUPS_FIELD: 1}):
            found[document["_id"]] = document.get(GROUPS_FIELD, [])
    return found


async def join(scope: Scope, group_id: str, contact_ids: list[str]) -> int:
    """Add `group_id` to the live contacts named that lack it; how many it was added to."""
    added = 0
    for batch in in_batches(contact_ids, WRITE_BATCH):
        where = scope.where(**any_of("_id", batch)) | {GROUPS_FIELD: {"$ne": group_id}}
        added += (await contacts().update_many(where, {"$addToSet": {GROUPS_FIELD: group_id}})).modified_count
    return added


async def leave(scope: Scope, group_id: str, contact_ids: list[str]) -> int:
    """Take `group_id` from the live contacts named that have it; how many it was taken from."""
    removed = 0
    for batch in in_batches(contact_ids, WRITE_BATCH):
        where = scope.where(**any_of("_id", batch)) | {GROUPS_FIELD: group_id}
        removed += (await contacts().update_many(where, {"$pull": {GROUPS_FIELD: group_id}})).modified_count
    return removed


async def erase(scope: Scope) -> int:
    """Delete every group of the tenant, and the deleted ones' tombstones; how many live ones there were."""
    await delete_in_batches(collection(), {"tenant": scope.tenant + DELETED_SUFFIX})
    return await delete_in_batches(collection(), scope.where())


def every_group(scope: Scope) -> AsyncIterator[Document]:
    """Every group of the tenant (the tenant export)."""
    return walk(collection(), scope.where())
