"""The only code that reads and writes the contacts collection.

Every query is scoped (`Scope.where`) and every change is one conditional round trip. What comes back is a
`ContactOut` (a listing's projected fields: a `ContactView`): the API's fields, with `id` for `_id` and nothing
storage-only. Beanie declares the collection and its indexes; queries go through the driver (README: "Data access").
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from api.contacts.listing import OUTPUT_FIELDS, ContactQuery, Position
from api.contacts.schemas import ContactOut
from api.database import collection_of
from api.scope import Scope
from models.contact import (
    CLIENT_FIELDS,
    DERIVED_KEYS,
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
RECORD_PROJECTION = dict.fromkeys(HIDDEN_FIELDS, 0)  # all but the tenant, the derived keys and the extension field


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


def new_document(scope: Scope, contact: ContactFields, contact_id: str | None = None) -> Document:
    """The complete document a create stores for `contact`, with fresh server-set fields (and a new id)."""
    now = utc_now()
    return {
        "_id": contact_id or new_contact_id(),
        "tenant": scope.tenant,
        **stored_fields(contact),
        "created_at": now,
        "updated_at": now,
        "version": 1,
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


async def insert(scope: Scope, contact: ContactFields, contact_id: str | None = None) -> ContactOut:
    """Store a new contact (with `contact_id`, when one was reserved for it)."""
    document = new_document(scope, contact, contact_id)
    await collection().insert_one(document)
    return to_record(document)


INSERT_BATCH = 20  # each batch one round trip, well inside DB_TIMEOUT even on the embedded database


async def insert_many(scope: Scope, contacts: list[ContactFields]) -> list[str]:
    """Store new contacts, a batch per round trip; their ids, in order."""
    documents = [new_document(scope, contact) for contact in contacts]
    for start in range(0, len(documents), INSERT_BATCH):
        await collection().insert_many(documents[start : start + INSERT_BATCH], ordered=False)
    return [document["_id"] for document in documents]


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


async def replace(
    scope: Scope, contact_id: str, contact: ContactFields, versions: Iterable[int] | None
) -> ContactOut | None:
    """Set every client field of a contact whose version is one of `versions` (None: any); None if none matched."""
    if not is_contact_id(contact_id):
        return None
    fields = stored_fields(contact)
    update: Document = {"$set": fields | {"updated_at": utc_now()}, "$inc": {"version": 1}}
    cleared = {key: "" for key in (*CLIENT_FIELDS, *DERIVED_KEYS) if key not in fields}
    if cleared:
        update["$unset"] = cleared
    updated = await collection().find_one_and_update(
        scope.where(_id=contact_id, **_versions(versions)),
        update,
        projection=RECORD_PROJECTION,
        return_document=ReturnDocument.AFTER,
    )
    return to_record(updated) if updated is not None else None


async def delete(scope: Scope, contact_id: str, versions: Iterable[int] | None) -> bool:
    """Delete a contact whose version is one of `versions` (None: any); False if none matched."""
    if not is_contact_id(contact_id):
        return False
    result = await collection().delete_one(scope.where(_id=contact_id, **_versions(versions)))
    return result.deleted_count == 1


async def delete_many(scope: Scope, contact_ids: Iterable[str]) -> set[str]:
    """Delete the listed contacts that exist in this scope; the ids that did."""
    wanted = sorted({contact_id for contact_id in contact_ids if is_contact_id(contact_id)})
    found = {document["_id"] async for document in collection().find(scope.where(_id={"$in": wanted}), {"_id": 1})}
    if found:
        await collection().delete_many(scope.where(_id={"$in": sorted(found)}))
    return found


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


def _versions(versions: Iterable[int] | None) -> Document:
    if versions is None:
        return {}
    listed = sorted(versions)
    # An equality when there is one: the embedded database probes the field's types for $in, reading every row.
    return {"version": listed[0] if len(listed) == 1 else {"$in": listed}}
