"""Every change of a contact: one conditional write that also takes its place in the change feed.

A change reads the contact, archives the version it replaces (api/history/repository.py), takes the tenant's
next change number (api/changes/counters.py), then writes the new version, with that number and what changed,
conditional on the version it read. The contact document is the change log's only record of the change, so a
crash can neither record a change that was not made nor lose one that was (README: "Sync and history").
"""

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument, UpdateOne

from api.changes import counters
from api.contacts.merge_patch import merge_diff
from api.contacts.repository import RECORD_PROJECTION, Document, collection, new_document, to_record
from api.contacts.schemas import ContactOut
from api.history import repository as history
from api.scope import TRASH_SUFFIX, Scope
from models.contact import CARD_PROPERTIES, CLIENT_FIELDS, DERIVED_KEYS, ContactFields, stored_fields, utc_now

INSERT_BATCH = 50  # an import batch in one round trip: about 150 ms on the embedded database, well inside DB_TIMEOUT


def _change(scope: Scope, kind: str, patch: dict[str, Any] | None = None) -> dict[str, Any]:
    change: dict[str, Any] = {"kind": kind, "key_id": scope.key_id}
    if patch is not None:
        change["patch"] = patch
    return change


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
    scope: Scope, contacts: list[ContactFields], *, kind: str = "created", properties: list[list[str]] | None = None
) -> list[str]:
    """Store new contacts (with their kept vCard `properties`, by position), a batch per round trip; their ids."""
    ids = []
    for start in range(0, len(contacts), INSERT_BATCH):
        batch = contacts[start : start + INSERT_BATCH]
        first = await counters.allocate(scope, len(batch))
        documents = [
            new_document(scope, contact, seq=first + offset, change=_change(scope, kind))
            for offset, contact in enumerate(batch)
        ]
        for document, kept in zip(documents, (properties or [])[start : start + INSERT_BATCH], strict=False):
            if kept:
                document[CARD_PROPERTIES] = kept
        await collection().insert_many(documents, ordered=False)
        ids += [document["_id"] for document in documents]
    return ids


async def replace(
    scope: Scope,
    current: Document,
    contact: ContactFields,
    *,
    kind: str = "updated",
    properties: list[str] | None = None,
) -> ContactOut | None:
    """Set every client field of the live contact `current` to `contact`; None if it changed since it was read.

    `properties` (the unmapped vCard properties) are replaced when given and kept when None.
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
        "$set": fields | {"updated_at": utc_now(), "seq": seq, "change": _change(scope, kind, patch)},
        "$inc": {"version": 1},
    }
    if cleared:
        update["$unset"] = dict.fromkeys(cleared, "")
    updated = await collection().find_one_and_update(
        scope.where(_id=current["_id"], version=current["version"]),
        update,
        projection=RECORD_PROJECTION,
        return_document=ReturnDocument.AFTER,
    )
    return to_record(updated) if updated is not None else None


async def trash(scope: Scope, current: Document) -> datetime | None:
    """Move the live contact `current` to the trash, as a new version; when, or None if it changed meanwhile."""
    await history.archive(current)
    seq = await counters.allocate(scope, vacated=_held(current))
    now = utc_now()
    result = await collection().update_one(
        scope.where(_id=current["_id"], version=current["version"]),
        {
            "$set": {"tenant": scope.tenant + TRASH_SUFFIX, "deleted_at": now, "updated_at": now, "seq": seq}
            | {"change": _change(scope, "deleted")},
            "$inc": {"version": 1},
        },
    )
    return now if result.modified_count == 1 else None


async def trash_many(scope: Scope, contacts: list[Document]) -> set[str]:
    """`trash` for several live contacts in one write; the ids trashed (the others changed meanwhile)."""
    if not contacts:
        return set()
    await history.archive_many(contacts)
    first = await counters.allocate(scope, len(contacts), [seq for contact in contacts for seq in _held(contact)])
    now = utc_now()
    change = _change(scope, "deleted")
    updates = [
        UpdateOne(
            scope.where(_id=contact["_id"], version=contact["version"]),
            {
                "$set": {"tenant": scope.tenant + TRASH_SUFFIX, "deleted_at": now, "updated_at": now}
                | {"seq": first + offset, "change": change},
                "$inc": {"version": 1},
            },
        )
        for offset, contact in enumerate(contacts)
    ]
    await collection().bulk_write(updates, ordered=False)
    numbers = {"$gte": first, "$lt": first + len(contacts)}  # unique to this write: what it trashed holds them
    trashed = collection().find(scope.owned(seq=numbers), {"_id": 1, "tenant": 1})  # served by (owner, seq)
    return {document["_id"] async for document in trashed if document["tenant"] == scope.tenant + TRASH_SUFFIX}


async def untrash(scope: Scope, current: Document) -> ContactOut | None:
    """Bring the trashed contact `current` back, as a new version; None if it changed meanwhile."""
    await history.archive(current)
    seq = await counters.allocate(scope, vacated=_held(current))
    updated = await collection().find_one_and_update(
        scope.trash(_id=current["_id"], version=current["version"]),
        {
            "$set": {"tenant": scope.tenant, "updated_at": utc_now(), "seq": seq}
            | {"change": _change(scope, "undeleted")},
            "$unset": {"deleted_at": ""},
            "$inc": {"version": 1},
        },
        projection=RECORD_PROJECTION,
        return_document=ReturnDocument.AFTER,
    )
    return to_record(updated) if updated is not None else None
