"""The only code that reads and writes the contacts collection.

Every query is scoped (`Scope.where`) and every change is one conditional round trip. What comes back is a
`ContactOut` (a listing's projected fields: a `ContactView`): the API's fields, with `id` for `_id` and nothing
storage-only. Beanie declares the collection and its indexes; queries go through the driver (README: "Data access").
"""

import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from api.contacts.listing import OUTPUT_FIELDS, ContactQuery, Position
from api.contacts.schemas import ContactOut
from api.database import any_of, collection_of, delete_in_batches, walk
from api.scope import Scope
from models.contact import (
    GROUPS_FIELD,
    HIDDEN_FIELDS,
    LIST_FIELDS,
    Contact,
    ContactFields,
    is_contact_id,
    new_contact_id,
    stored_fields,
    utc_now,
)

Document = dict[str, Any]
ContactView = dict[str, Any]  # `id` and the fields a listing selected, as ContactOut has them
RECORD_PROJECTION = dict.fromkeys(HIDDEN_FIELDS, 0)  # all but the fields that are stored, never returned


def record_projection(*keep: str) -> dict[str, int]:
    """RECORD_PROJECTION, keeping some of the hidden fields too."""
    return {field: 0 for field in HIDDEN_FIELDS if field not in keep}


@dataclass(frozen=True, slots=True)
class PageQuery:
    """The one query that fetches a page: filter, projection, sort and limit (one more, to see if more follow)."""

    filter: Document
    projection: dict[str, int]
    sort: list[tuple[str, int]]
    limit: int


@dataclass(frozen=True, slots=True)
class Page:
    """A page of records in order, and the position after its last one when more follow."""

    records: list[ContactView]
    next_after: Position | None


def collection() -> AsyncCollection[Document]:
    """The contacts collection."""
    return collection_of(Contact)


def new_document(
    scope: Scope, contact: ContactFields, contact_id: str | None = None, *, seq: int, change: Document | None = None
) -> Document:
    """The complete document a create stores for `contact`: fresh server-set fields (and a new id), at change `seq`.

    Its time is taken after `seq` was: the change feed relies on it (api/changes/service.py).
    """
    now = utc_now()
    return {
        "_id": contact_id or new_contact_id(),
        "tenant": scope.tenant,
        **stored_fields(contact),
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "owner": scope.tenant,
        "seq": seq,
        "first_seq": seq,
        "change": change or {"kind": "created", "key_id": scope.key_id},
    }


def to_view(document: Document, fields: Iterable[str] = OUTPUT_FIELDS) -> ContactView:
    """A stored document as the API shows it: `id` plus `fields`, unset ones as null or []."""
    view: ContactView = {"id": document["_id"]}
    for field in fields:
        if field != "id":
            view[field] = document.get(field, [] if field in LIST_FIELDS else None)
    return view


def to_record(document: Document) -> ContactOut:
    """A stored document as the contact the API returns."""
    return ContactOut.model_validate(to_view(document))


async def is_empty(database: AsyncDatabase[Document]) -> bool:
    """Whether `database` holds no contact at all, of any tenant or shape (unscoped: is it a fresh database?).

    It takes the database rather than the bound collection: the startup check runs before the models are bound.
    """
    return await database[Contact.Settings.name].find_one({}, {"_id": 1}) is None


async def get(scope: Scope, contact_id: str) -> ContactOut | None:
    """The contact with `contact_id` in this scope; None when there is none (or the id is malformed)."""
    if not is_contact_id(contact_id):
        return None
    # No projection: `to_record` copies only the API's fields, and leaving the stored-only ones out costs the
    # database more than sending them (find_one 12-16 % faster without it on the embedded one, at 10k contacts).
    found = await collection().find_one(scope.where(_id=contact_id))
    return to_record(found) if found is not None else None


async def find_document(scope: Scope, contact_id: str) -> Document | None:
    """The stored document of a live contact, all of it (what a change starts from); None when there is none."""
    if not is_contact_id(contact_id):
        return None
    return await collection().find_one(scope.where(_id=contact_id))


async def find_documents(scope: Scope, contact_ids: Iterable[str]) -> list[Document]:
    """The stored documents of the listed live contacts that exist, in id order."""
    wanted = sorted({contact_id for contact_id in contact_ids if is_contact_id(contact_id)})
    if not wanted:
        return []
    return await collection().find(scope.where(**any_of("_id", wanted))).sort("_id", 1).to_list()


async def find_by_external_ids(scope: Scope, external_ids: Iterable[str]) -> list[Document]:
    """The live contacts with these external ids, newest first (a dict built from the list keeps the oldest).

    Sorted here rather than by the database: they are a few, and a sort made the embedded database plan an
    import batch's `$or` 2.5 times as long (13.8 against 5.6 ms for 50 ids: it probes the sort key). Contact
    ids are strings, which MongoDB and Python order alike.
    """
    wanted = sorted(set(external_ids))
    if not wanted:
        return []
    found = await collection().find(scope.where(**any_of("external_id", wanted))).to_list()
    return sorted(found, key=lambda document: str(document["_id"]), reverse=True)


async def find_owned(scope: Scope, contact_id: str) -> Document | None:
    """The stored document of a contact, live or in the trash; None when there is none."""
    if not is_contact_id(contact_id):
        return None
    return await collection().find_one(scope.owned(_id=contact_id))


async def find_trashed(scope: Scope, contact_id: str, deleted_since: datetime) -> Document | None:
    """A contact in the trash, deleted at or after `deleted_since` (still within the retention); else None."""
    if not is_contact_id(contact_id):
        return None
    return await collection().find_one(scope.trash(_id=contact_id, deleted_at={"$gte": deleted_since}))


async def find_trash_page(
    scope: Scope, deleted_since: datetime, limit: int, after: tuple[datetime, str] | None
) -> list[Document]:
    """Up to `limit` trashed contacts deleted at or after `deleted_since`, newest first, after `after`."""
    where = scope.trash(deleted_at={"$gte": deleted_since})
    if after is not None:
        at, last_id = after
        where["$or"] = [{"deleted_at": {"$lt": at}}, {"deleted_at": at, "_id": {"$lt": last_id}}]
    cursor = collection().find(where, record_projection("deleted_at"))
    return await cursor.sort([("deleted_at", -1), ("_id", -1)]).limit(limit).to_list()


async def find_changed(scope: Scope, since: int, limit: int, keep: tuple[str, ...] = ()) -> list[Document]:
    """Up to `limit` of the tenant's contacts, live or deleted, changed after change number `since`, in order."""
    projection = record_projection("seq", "deleted_at", "merged_into", *keep)
    cursor = collection().find(scope.owned(seq={"$gt": since}), projection)
    return await cursor.sort("seq", 1).limit(limit).to_list()


async def find_expired_trash(tenant: str, deleted_before: datetime, limit: int) -> list[Document]:
    """Up to `limit` of a tenant's trashed contacts deleted before `deleted_before` (to purge)."""
    where = Scope(tenant).trash(deleted_at={"$lt": deleted_before})
    return await collection().find(where, {"_id": 1, "seq": 1, "version": 1}).limit(limit).to_list()


async def purge(tenant: str, contact_id: str, version: int) -> bool:
    """Delete a trashed contact for good, unless it changed (was undeleted) since it was read."""
    result = await collection().delete_one(Scope(tenant).trash(_id=contact_id, version=version))
    return result.deleted_count == 1


async def erase(scope: Scope) -> int:
    """Delete every contact of the tenant, live or trashed; how many."""
    return await delete_in_batches(collection(), scope.owned())


def every_contact(scope: Scope) -> AsyncIterator[Document]:
    """Every contact of the tenant, live or trashed, as stored (the tenant export)."""
    return walk(collection(), scope.owned(), key="seq")  # served by (owner, seq)


def page_query(scope: Scope, query: ContactQuery) -> PageQuery:
    """The query for one page of a listing, served by a declared index (README: "Indexes")."""
    key, direction = query.sort_key
    if query.fields == OUTPUT_FIELDS:
        projection = {hidden: 0 for hidden in HIDDEN_FIELDS if hidden != key}
    else:
        projection = dict.fromkeys((*query.fields[1:], key), 1)
    return PageQuery(_filter(scope, query), projection, [(key, direction), ("_id", direction)], query.limit + 1)


async def find_page(scope: Scope, query: ContactQuery) -> Page:
    """One page of the listing `query`, and where the next one starts."""
    plan = page_query(scope, query)
    found = await collection().find(plan.filter, plan.projection).sort(plan.sort).limit(plan.limit).to_list()
    page = found[: query.limit]
    more = len(found) > query.limit
    key, _ = query.sort_key
    next_after = (page[-1][key], page[-1]["_id"]) if more else None
    return Page([to_view(document, query.fields) for document in page], next_after)


def _filter(scope: Scope, query: ContactQuery) -> Document:
    where = scope.where()
    clauses: list[Document] = []
    if query.tag_keys:
        where["tag_keys"] = {"$all": list(query.tag_keys)}
    if query.email_key is not None:
        where["email_keys"] = query.email_key
    if query.phone is not None:
        where["phone_keys"] = query.phone
    if query.company_key is not None:
        where["company_key"] = query.company_key
    if query.group_id is not None:
        where[GROUPS_FIELD] = query.group_id
    if query.updated_since is not None:
        clauses.append({"updated_at": {"$gte": query.updated_since}})
    if query.search_terms:
        # An anchored literal regex is a prefix range for MongoDB's index, and the embedded database runs it
        # in SQL (a two-sided range inside $elemMatch would make it read every document into Python).
        clauses.append({"$or": [{"search_terms": {"$elemMatch": {"$regex": _prefix(t)}}} for t in query.search_terms]})
    if query.after is not None:
        clauses.append(_after(query, query.after))
    if clauses:
        where["$and"] = clauses
    return where


def _prefix(term: str) -> str:
    return "^" + re.escape(term)


def _after(query: ContactQuery, after: Position) -> Document:
    key, direction = query.sort_key
    value, last_id = after
    beyond = "$gt" if direction == 1 else "$lt"
    return {"$or": [{key: {beyond: value}}, {key: value, "_id": {beyond: last_id}}]}
