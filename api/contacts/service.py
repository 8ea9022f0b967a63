"""The rules of the contacts resource, free of HTTP: routes call these, these call the repository."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pymongo.errors import DuplicateKeyError

from api.contacts import listing, repository, writes
from api.contacts.merge_patch import merge_patch
from api.contacts.repository import ContactView, Document
from api.contacts.schemas import ContactListParams, ContactOut, ContactWrite
from api.errors import (
    Conflict,
    Gone,
    NotFound,
    PreconditionFailed,
    UnprocessableContent,
    ValidationIssue,
)
from api.groups import repository as groups
from api.idempotency.service import Exists, IdempotentRequest, run_once
from api.merges import locks
from api.preconditions import Precondition, conditionally
from api.scope import Scope
from models.contact import CLIENT_FIELDS, ContactFields, fold


class ContactNotFound(NotFound):
    """No contact has the requested id (in this scope)."""

    message = "No contact has this id."


class ContactMergedAway(Exception):  # not an ApiError: it is answered 301, not with a problem
    """A read of a contact that was merged into another: it moved for good, to the survivor."""

    def __init__(self, survivor_id: str) -> None:
        super().__init__(survivor_id)
        self.survivor_id = survivor_id


class ContactMergedGone(Gone):
    """A change of a contact that was merged into another: it is gone; change the survivor (`Location`)."""

    type = "/problems/contact-merged"

    def __init__(self, survivor_id: str) -> None:
        super().__init__(
            f"This contact was merged into {survivor_id}; change that one.", {"Location": f"/contacts/{survivor_id}"}
        )


class ContactBeingMerged(Conflict):
    """The contact is locked by a merge under way."""

    type = "/problems/contact-being-merged"
    message = "The contact is being merged; retry in a moment."


class StaleContact(PreconditionFailed):
    """The contact changed since the client read the ETag it sent."""

    message = "The contact has changed since that ETag; GET it again and retry."


@dataclass(frozen=True, slots=True)
class Created:
    """A created contact, and whether it is the replay of an earlier request with the same Idempotency-Key."""

    contact: ContactOut
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class ContactPage:
    """A page of contacts, and the cursor position after it when more follow."""

    contacts: list[ContactView]
    next_position: list[Any] | None


async def create_contact(scope: Scope, contact: ContactFields, idempotency: IdempotentRequest | None = None) -> Created:
    """Store a new contact; with an Idempotency-Key, a retry gets the first result instead of a second contact."""
    if idempotency is None:
        return Created(await writes.insert(scope, contact))

    async def insert(contact_id: str) -> dict[str, Any]:
        try:
            created = await writes.insert(scope, contact, contact_id)
        except DuplicateKeyError:
            raise Exists from None
        return created.model_dump(mode="json")

    async def recover(contact_id: str) -> dict[str, Any] | None:
        stored = await repository.get(scope, contact_id)
        return stored.model_dump(mode="json") if stored is not None else None

    outcome = await run_once(scope, idempotency, insert, recover)
    return Created(ContactOut.model_validate(outcome.result), outcome.replayed)


async def get_contact(scope: Scope, contact_id: str) -> ContactOut:
    """The contact with `contact_id`; a malformed id is simply not found."""
    found = await repository.get(scope, contact_id)
    if found is None:
        return repository.to_record(await _not_live(scope, contact_id))
    return found


async def get_contact_view(scope: Scope, contact_id: str, extra_fields: tuple[str, ...]) -> ContactView:
    """The contact with `contact_id` as a listing shows it, with `extra_fields` of what is stored."""
    found = await repository.find_document(scope, contact_id)
    if found is None:
        found = await _not_live(scope, contact_id)
    return repository.to_view(found, listing.OUTPUT_FIELDS + extra_fields)


async def replace_contact(
    scope: Scope, contact_id: str, contact: ContactFields, precondition: Precondition | None
) -> ContactOut:
    """Replace every client field of a contact in one conditional update."""
    return await change_contact(scope, contact_id, precondition, lambda _: contact)


async def patch_contact(
    scope: Scope, contact_id: str, patch: dict[str, Any], precondition: Precondition | None
) -> ContactOut:
    """Apply a JSON merge patch."""

    return await change_contact(scope, contact_id, precondition, lambda current: patched_fields(current, patch))


def patched_fields(current: Document, patch: dict[str, Any]) -> ContactFields:
    """The client fields of the stored contact `current` with the JSON merge patch `patch` applied (422 if invalid)."""
    return validated(ContactWrite, merge_patch(_client_view(current), patch))


async def change_contact(
    scope: Scope,
    contact_id: str,
    precondition: Precondition | None,
    new_fields: Callable[[Document], ContactFields],
    *,
    kind: str = "updated",
    properties: list[str] | None = None,
) -> ContactOut:
    """Write the fields `new_fields` makes of the current contact, conditional on the version it read.

    With If-Match, a stale version is a 412; without, a concurrent change is retried, so none is lost.
    """
    return await conditionally(
        lambda: current_contact(scope, contact_id),
        lambda current: writes.replace(scope, current, new_fields(current), kind=kind, properties=properties),
        precondition,
        StaleContact,
        "The contact is changing too often to change; retry.",
    )


async def delete_contact(scope: Scope, contact_id: str, precondition: Precondition | None) -> None:
    """Move a contact to the trash (if its version still matches the precondition)."""
    await conditionally(
        lambda: current_contact(scope, contact_id),
        lambda current: writes.trash(scope, current),
        precondition,
        StaleContact,
        "The contact is changing too often to delete; retry.",
    )


async def current_contact(scope: Scope, contact_id: str) -> Document:
    """The stored live contact a change starts from: 404 (410 if merged away), 409 while a merge locks it."""
    for _ in range(2):
        current = await repository.find_document(scope, contact_id)
        if current is not None:
            return current
        stored = await repository.find_owned(scope, contact_id)
        if stored is None or not scope.is_merging(stored["tenant"]):
            raise _gone_or_missing(stored, read=False)
        if not await locks.settle(scope, stored):
            raise ContactBeingMerged
    raise ContactBeingMerged


async def _not_live(scope: Scope, contact_id: str) -> Document:
    """What a read of a contact that is not live finds: one a merge under way locks (shown as it is), else an error."""
    stored = await repository.find_owned(scope, contact_id)
    if stored is not None and scope.is_merging(stored["tenant"]):
        return stored
    raise _gone_or_missing(stored, read=True)


def _gone_or_missing(stored: Document | None, *, read: bool) -> Exception:
    """Merged into another (301 to read it, 410 to change it), or simply not found (404)."""
    survivor = stored.get("merged_into") if stored is not None else None
    if survivor is None:
        return ContactNotFound()
    return ContactMergedAway(survivor) if read else ContactMergedGone(survivor)


def _client_view(document: Document) -> dict[str, Any]:
    """A stored contact's client fields as a merge patch applies to them (as the API shows them, no nulls)."""
    return {field: document[field] for field in CLIENT_FIELDS if field in document}


async def list_contacts(
    scope: Scope, params: ContactListParams, after: list[Any] | None = None, extra_fields: tuple[str, ...] = ()
) -> ContactPage:
    """One page of contacts, filtered and sorted; `after` is the position that `params.cursor` carried.

    `extra_fields` adds stored fields the API does not list (the vCard properties an export writes again).
    """
    sort = listing.parse_sort(params.sort)
    query = listing.ContactQuery(
        limit=params.limit,
        sort=sort,
        fields=listing.parse_fields(params.fields) + extra_fields,
        search_terms=listing.search_terms(params.q) if params.q is not None else (),
        tag_keys=tuple(fold(tag) for tag in params.tag or ()),
        email_key=listing.email_key(params.email) if params.email is not None else None,
        phone=listing.phone_value(params.phone) if params.phone is not None else None,
        company_key=fold(params.company) if params.company is not None else None,
        group_id=await _group_filter(scope, params.group),
        updated_since=params.updated_since,
        after=listing.check_position(sort, after) if after is not None else None,
    )
    page = await repository.find_page(scope, query)
    next_position = listing.cursor_payload(sort, page.next_after) if page.next_after is not None else None
    return ContactPage(page.records, next_position)


async def _group_filter(scope: Scope, group_id: str | None) -> str | None:
    """The group a listing is limited to, once it is known to exist; a 422 when it does not."""
    if group_id is not None and await groups.find(scope, group_id) is None:
        raise UnprocessableContent(
            [ValidationIssue(location="query", pointer="/group", detail="No group has this id.")]
        )
    return group_id


def validated[Model: BaseModel](schema: type[Model], data: Any) -> Model:
    """`data` validated against `schema`; a 422 pointing into the body when it does not fit."""
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise UnprocessableContent.from_body_error(error) from None
