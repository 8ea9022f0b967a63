"""Bulk create, change and delete: up to 100 items, each with the outcome it would have had alone, in order."""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.contacts import repository, writes
from api.contacts.repository import Document
from api.contacts.schemas import BulkUpdateItem, ContactOut, ContactWrite
from api.contacts.service import ContactNotFound, delete_contact, patch_contact, patched_fields, validated
from api.errors import ApiError, UnprocessableContent
from api.preconditions import Precondition
from api.scope import Scope
from models.contact import ContactFields

type PreconditionOf = Callable[[str | None], Precondition | None]
"""What an item's `if_match` states, as its If-Match header would (raising as the header would)."""


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What happened to one item: the contact's id (and new version, for a change), or the error it would have had."""

    id: str | None = None
    error: ApiError | None = None
    version: int | None = None


async def create_contacts(scope: Scope, items: list[dict[str, Any]]) -> list[ItemOutcome]:
    """Validate each item on its own; store the valid ones in one round trip."""
    outcomes: list[ItemOutcome | ContactFields] = []
    for item in items:
        try:
            outcomes.append(validated(ContactWrite, item))
        except UnprocessableContent as error:
            outcomes.append(ItemOutcome(error=error))
    ids = iter(await writes.insert_many(scope, [item for item in outcomes if isinstance(item, ContactFields)]))
    return [item if isinstance(item, ItemOutcome) else ItemOutcome(id=next(ids)) for item in outcomes]


async def update_contacts(
    scope: Scope, items: list[BulkUpdateItem], precondition_of: PreconditionOf
) -> list[ItemOutcome]:
    """Apply each item's merge patch in order, as its own PATCH would; the contacts are first read in one round trip."""
    unread = {document["_id"]: document for document in await repository.find_documents(scope, [i.id for i in items])}
    outcomes = []
    for item in items:
        try:
            precondition = precondition_of(item.if_match)
            # An id met again is read afresh: the read above no longer holds after the first change.
            updated = await _update(scope, item.id, unread.pop(item.id, None), item.patch, precondition)
        except ApiError as error:
            outcomes.append(ItemOutcome(id=item.id, error=error))
        else:
            outcomes.append(ItemOutcome(id=updated.id, version=updated.version))
    return outcomes


async def _update(
    scope: Scope, contact_id: str, current: Document | None, patch: dict[str, Any], precondition: Precondition | None
) -> ContactOut:
    if current is not None and (precondition is None or precondition.allows(current["version"])):
        updated = await writes.replace(scope, current, patched_fields(current, patch))
        if updated is not None:
            return updated
    # Not found, stale, or changed since the read: the single PATCH's path reads again and answers as it would.
    return await patch_contact(scope, contact_id, patch, precondition)


async def delete_contacts(scope: Scope, contact_ids: list[str]) -> list[ItemOutcome]:
    """Move the listed contacts that exist in this scope to the trash; the others are not found."""
    found = await repository.find_documents(scope, contact_ids)
    deleted = await writes.trash_many(scope, found)
    for contact in found:  # changed between the read and the write: delete it on its own
        if contact["_id"] not in deleted:
            with contextlib.suppress(ContactNotFound):
                await delete_contact(scope, contact["_id"], None)
                deleted.add(contact["_id"])
    return [
        ItemOutcome(id=contact_id) if contact_id in deleted else ItemOutcome(id=contact_id, error=ContactNotFound())
        for contact_id in contact_ids
    ]
