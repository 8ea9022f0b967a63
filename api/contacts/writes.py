"""Every change of a contact: one conditional write that also takes its place in the change feed.

A change reads the contact, archives the version it replaces (api/history/repository.py), takes the tenant's
next change number (api/changes/counters.py), then writes the new version, with that number and what changed,
conditional on the version it read. The contact document is the change log's only record of the change, so a
crash can neither record a change that was not made nor lose one that was (README: "Sync and history").
"""

import asyncio
import math
import time
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument, UpdateOne

from api.changes import counters
from api.contacts.merge_patch import merge_diff
from api.contacts.repository import RECORD_PROJECTION, Document, collection, new_document, to_record
from api.contacts.schemas import ContactOut
from api.groups import counts
from api.history import repository as history
from api.scope import TRASH_SUFFIX, Scope
from models.contact import (
    CARD_PROPERTIES,
    CLIENT_FIELDS,
    DERIVED_KEYS,
    GROUPS_FIELD,
    ContactFields,
    stored_fields,
    utc_now,
)

# insert_many's batches: one round trip each and, on the embedded database, one SQLite transaction. Sized so a
# batch takes about INSERT_SHARE of the operation deadline (DB_TIMEOUT), as the last one went (`InsertPace`).
INSERT_BATCH = 50  # the first batch's size
MAX_INSERT_BATCH = 250  # the pace, not this cap, sizes them on a loaded database (an import: about 250 when idle)
MIN_INSERT_BATCH = 10
INSERT_SHARE = 0.25


class InsertPace:
    """The size of the next insert batch, from how long the last one took (shared by all requests)."""

    size = INSERT_BATCH

    def took(self, count: int, seconds: float, deadline: float) -> None:
        """`count` contacts were inserted in `seconds`: aim the next batch at INSERT_SHARE of `deadline`.

        It at most doubles at a time, and learns nothing from a batch of less than half its size (the tail of
        a run, whose fixed costs would make the database look slow).
        """
        if 2 * count < self.size:
            return
        wanted = count * INSERT_SHARE * deadline / seconds if seconds > 0 else MAX_INSERT_BATCH
        self.size = int(max(MIN_INSERT_BATCH, min(MAX_INSERT_BATCH, 2 * self.size, wanted)))

    def next(self, left: int) -> int:
        """How many of `left` contacts the next batch takes: `left` in batches of even size, each about `size`
        and at most MAX_INSERT_BATCH (250 at a size of 246 go as one batch, not as 246 and a round trip for 4)."""
        return math.ceil(left / max(1, round(left / self.size), math.ceil(left / MAX_INSERT_BATCH)))


pace = InsertPace()


def _change(scope: Scope, kind: str, patch: dict[str, Any] | None = None) -> dict[str, Any]:
    change: dict[str, Any] = {"kind": kind, "key_id": scope.key_id}
    if patch is not None:
        change["patch"] = patch
    return change


def _unchanged(scope: Scope, current: Document) -> Document:
    """The filter of a conditional write: the live contact as it was read (not since locked by a merge)."""
    return scope.where(_id=current["_id"], version=current["version"])


def _held(contact: Document) -> list[int]:
    """The change number a stored contact holds (none for one stored before the change feed)."""
    return [contact["seq"]] if "seq" in contact else []


def client_fields(document: Document) -> Document:
    """What a stored contact holds of the client's fields (and its kept vCard properties), as stored."""
    return {field: document[field] for field in (*CLIENT_FIELDS, CARD_PROPERTIES) if field in document}


async def insert(
    scope: Scope,
    contact: ContactFields,
    contact_id: str | None = None,
    *,
    kind: str = "created",
    properties: list[str] | None = None,
) -> ContactOut:
    """Store a new contact (with `contact_id`, when one was reserved for it)."""
    seq = await counters.allocate(scope)
    document = new_document(scope, contact, contact_id, seq=seq, change=_change(scope, kind))
    if properties:
        document[CARD_PROPERTIES] = properties
    await collection().insert_one(document)
    return to_record(document)


async def insert_many(
    scope: Scope,
    contacts: list[ContactFields],
    *,
    kind: str = "created",
    properties: list[list[str]] | None = None,
    contact_ids: list[str] | None = None,
    sent: asyncio.Event | None = None,
) -> list[str]:
    """Store new contacts (with their kept vCard `properties`, by position), a batch per round trip; their ids
    (`contact_ids`, when they were reserved for them). `sent` is set once the first batch is on its way.

    A batch is about `pace.size` contacts (`InsertPace.next`): about INSERT_SHARE of the deadline of one
    operation, as the last batch went, so a loaded database gets smaller batches and an idle one fewer, larger
    commits.
    """
    ids: list[str] = []
    deadline = collection().database.client.options.timeout or 1.0
    while len(ids) < len(contacts):
        start = len(ids)
        batch = contacts[start : start + pace.next(len(contacts) - start)]
        first = await counters.allocate(scope, len(batch))
        reserved = contact_ids[start : start + len(batch)] if contact_ids else [None] * len(batch)
        documents = [
            new_document(scope, contact, contact_id, seq=first + offset, change=_change(scope, kind))
            for offset, (contact, contact_id) in enumerate(zip(batch, reserved, strict=True))
        ]
        for document, kept in zip(documents, (properties or [])[start : start + len(batch)], strict=False):
            if kept:
                document[CARD_PROPERTIES] = kept
        if sent is not None:
            sent.set()
        started = time.perf_counter()
        await collection().insert_many(documents, ordered=False)
        pace.took(len(batch), time.perf_counter() - started, deadline)
        ids += [document["_id"] for document in documents]
    return ids


async def replace(
    scope: Scope,
    current: Document,
    contact: ContactFields,
    *,
    kind: str = "updated",
    properties: list[str] | None = None,
    details: Document | None = None,
    additions: Document | None = None,
) -> ContactOut | None:
    """Set every client field of the live contact `current` to `contact`; None if it changed since it was read.

    `properties` (the unmapped vCard properties) are replaced when given and kept when None. `details` go into
    the change (what history shows of it), `additions` are `$addToSet` values (a merge's sources and groups).
    """
    fields = stored_fields(contact)
    cleared = [key for key in (*CLIENT_FIELDS, *DERIVED_KEYS) if key not in fields]
    if properties:
        fields[CARD_PROPERTIES] = properties
    elif properties is not None:
        cleared.append(CARD_PROPERTIES)
    before = client_fields(current)
    after = client_fields(fields) | ({} if properties is not None else {CARD_PROPERTIES: before.get(CARD_PROPERTIES)})
    patch = merge_diff(before, {key: value for key, value in after.items() if value is not None})
    await history.archive(current)
    seq = await counters.allocate(scope, vacated=_held(current))
    update: Document = {
        "$set": fields | {"updated_at": utc_now(), "seq": seq, "change": _change(scope, kind, patch) | (details or {})},
        "$inc": {"version": 1},
    }
    if cleared:
        update["$unset"] = dict.fromkeys(cleared, "")
    if additions:
        update["$addToSet"] = {field: {"$each": values} for field, values in additions.items()}
    updated = await collection().find_one_and_update(
        _unchanged(scope, current),
        update,
        projection=RECORD_PROJECTION,
        return_document=ReturnDocument.AFTER,
    )
    return to_record(updated) if updated is not None else None


async def trash(scope: Scope, current: Document) -> datetime | None:
    """Move the live contact `current` to the trash, as a new version; when, or None if it changed meanwhile.

    Its groups count one member less (api/groups/counts.py).
    """
    await history.archive(current)
    seq = await counters.allocate(scope, vacated=_held(current))
    now = utc_now()
    async with counts.changing(scope, current.get(GROUPS_FIELD, ())) as members:
        trashed = await collection().find_one_and_update(
            _unchanged(scope, current),
            {
                "$set": {"tenant": scope.tenant + TRASH_SUFFIX, "deleted_at": now, "updated_at": now, "seq": seq}
                | {"change": _change(scope, "deleted")},
                "$inc": {"version": 1},
            },
            projection={GROUPS_FIELD: 1},
        )
        # What it belonged to when it was trashed: in the trash, no write changes it any more.
        members.subtract((trashed or {}).get(GROUPS_FIELD, ()))
    return now if trashed is not None else None


async def trash_many(
    scope: Scope, contacts: list[Document], *, merged_into: str | None = None, merge_op: str | None = None
) -> set[str]:
    """`trash` for several live contacts in one write; the ids trashed (the others changed meanwhile).

    With `merged_into`, they are the sources of a merge that locked them as `merge_op` (api/merges): they become
    tombstones that name the survivor, and lose the lock.
    """
    if not contacts:
        return set()
    await history.archive_many(contacts)
    first = await counters.allocate(scope, len(contacts), [seq for contact in contacts for seq in _held(contact)])
    now = utc_now()
    change = _change(scope, "deleted") | ({"merged_into": merged_into} if merged_into is not None else {})
    moved: Document = {"tenant": scope.tenant + TRASH_SUFFIX, "deleted_at": now, "updated_at": now, "change": change}
    if merged_into is not None:
        moved["merged_into"] = merged_into
    updates = [
        UpdateOne(
            _unchanged(scope, contact) if merge_op is None else scope.merging(merge_op, _id=contact["_id"]),
            {"$set": moved | {"seq": first + offset}, "$inc": {"version": 1}}
            | ({"$unset": {"merging": ""}} if merge_op is not None else {}),
        )
        for offset, contact in enumerate(contacts)
    ]
    numbers = {"$gte": first, "$lt": first + len(contacts)}  # unique to this write: what it trashed holds them
    groups = [group for contact in contacts for group in contact.get(GROUPS_FIELD, ())]
    async with counts.changing(scope, groups) as members:
        await collection().bulk_write(updates, ordered=False)
        found = collection().find(scope.owned(seq=numbers), {"tenant": 1, GROUPS_FIELD: 1})  # served by (owner, seq)
        trashed = [document async for document in found if document["tenant"] == scope.tenant + TRASH_SUFFIX]
        for document in trashed:
            members.subtract(document.get(GROUPS_FIELD, ()))
    return {document["_id"] for document in trashed}


async def untrash(scope: Scope, current: Document) -> ContactOut | None:
    """Bring the trashed contact `current` back, as a new version; None if it changed meanwhile."""
    await history.archive(current)
    seq = await counters.allocate(scope, vacated=_held(current))
    groups = current.get(GROUPS_FIELD, ())  # the version check below makes them the trashed contact's groups
    async with counts.changing(scope, groups) as members:
        updated = await collection().find_one_and_update(
            scope.trash(_id=current["_id"], version=current["version"]),
            {
                "$set": {"tenant": scope.tenant, "updated_at": utc_now(), "seq": seq}
                | {"change": _change(scope, "undeleted")},
                "$unset": {"deleted_at": "", "merged_into": ""},
                "$inc": {"version": 1},
            },
            projection=RECORD_PROJECTION,
            return_document=ReturnDocument.AFTER,
        )
        if updated is not None:
            members.update(groups)
    return to_record(updated) if updated is not None else None
