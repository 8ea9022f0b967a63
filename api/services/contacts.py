"""Contact rules and every contact query.

Beanie declares the documents and their indexes; the queries go through the model's
collection so that each write is one atomic round trip (a conditional update on `version`
for every change) and reads are projected to what the response needs.
"""

import re
from typing import Any

from pydantic import ValidationError
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from api.conditional import Precondition
from api.errors import Conflict, NotFound, PreconditionFailed, UnprocessableContent
from api.services.scope import Scope
from models.contact import WRITABLE_FIELDS, Contact, ContactWrite, new_contact_id, stored_fields, utc_now

_ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")
HIDDEN_FIELDS = ("tenant", "name_key", "company_key", "tag_keys", "email_keys", "search_terms")
FULL_VIEW = dict.fromkeys(HIDDEN_FIELDS, 0)
PATCH_RETRIES = 10

Stored = dict[str, Any]


class ContactNotFound(NotFound):
    """No contact has the requested id (in this scope)."""

    def __init__(self) -> None:
        super().__init__("No contact has this id.")


class StaleContact(PreconditionFailed):
    """The contact changed since the client read the ETag it sent."""

    def __init__(self) -> None:
        super().__init__("The contact has changed since that ETag; GET it again and retry.")


def is_contact_id(value: object) -> bool:
    """True for a well-formed contact id (24 lower-case hex digits)."""
    return isinstance(value, str) and _ID_PATTERN.match(value) is not None


def contacts() -> AsyncCollection[Stored]:
    """The contacts collection, as Beanie bound it."""
    collection: AsyncCollection[Stored] = Contact.get_pymongo_collection()
    return collection


def new_document(scope: Scope, contact: ContactWrite) -> Stored:
    """A complete document for a new contact, with fresh server-set fields."""
    now = utc_now()
    return {
        "_id": new_contact_id(),
        "tenant": scope.tenant,
        **stored_fields(contact),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def visible(document: Stored) -> Stored:
    """The document without the scope and the derived keys."""
    return {key: value for key, value in document.items() if key not in FULL_VIEW}


async def create_contact(scope: Scope, contact: ContactWrite) -> Stored:
    """Store a new contact; return it as stored."""
    document = new_document(scope, contact)
    await contacts().insert_one(document)
    return visible(document)


async def get_contact(scope: Scope, contact_id: str) -> Stored:
    """The contact with `contact_id`; a malformed id is simply not found."""
    found = await contacts().find_one(scope.where(_id=contact_id), FULL_VIEW) if is_contact_id(contact_id) else None
    if found is None:
        raise ContactNotFound
    return found


async def replace_contact(
    scope: Scope, contact_id: str, contact: ContactWrite, precondition: Precondition | None
) -> Stored:
    """Replace every client field of a contact in one conditional update."""
    if not is_contact_id(contact_id):
        raise ContactNotFound
    condition = _version_condition(precondition)
    updated = await _update(scope, contact_id, contact, condition)
    if updated is None:
        await get_contact(scope, contact_id)  # 404 when it is gone
        raise StaleContact
    return updated


async def patch_contact(
    scope: Scope, contact_id: str, patch: dict[str, Any], precondition: Precondition | None
) -> Stored:
    """Apply a JSON merge patch; without If-Match, retry on a concurrent change so none is lost."""
    for _ in range(PATCH_RETRIES):
        current = await get_contact(scope, contact_id)
        if precondition is not None and not precondition.allows(current["version"]):
            raise StaleContact
        merged = merge_patch({key: current[key] for key in WRITABLE_FIELDS if key in current}, patch)
        try:
            contact = ContactWrite.model_validate(merged)
        except ValidationError as error:
            raise UnprocessableContent.from_body_error(error) from None
        updated = await _update(scope, contact_id, contact, {"version": current["version"]})
        if updated is not None:
            return updated
        if precondition is not None:
            raise StaleContact
    raise Conflict("The contact is changing too often to patch; retry.")


async def delete_contact(scope: Scope, contact_id: str, precondition: Precondition | None) -> None:
    """Delete a contact (if its version still matches the precondition)."""
    if not is_contact_id(contact_id):
        raise ContactNotFound
    result = await contacts().delete_one(scope.where(_id=contact_id, **_version_condition(precondition)))
    if result.deleted_count == 0:
        await get_contact(scope, contact_id)
        raise StaleContact


async def _update(scope: Scope, contact_id: str, contact: ContactWrite, condition: dict[str, Any]) -> Stored | None:
    fields = stored_fields(contact)
    cleared = {key: "" for key in (*WRITABLE_FIELDS, "company_key") if key not in fields}
    update: dict[str, Any] = {"$set": fields | {"updated_at": utc_now()}, "$inc": {"version": 1}}
    if cleared:
        update["$unset"] = cleared
    updated: Stored | None = await contacts().find_one_and_update(
        scope.where(_id=contact_id, **condition), update, projection=FULL_VIEW, return_document=ReturnDocument.AFTER
    )
    return updated


def _version_condition(precondition: Precondition | None) -> dict[str, Any]:
    if precondition is None or precondition.any_version:
        return {}
    return {"version": {"$in": sorted(precondition.versions)}}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
