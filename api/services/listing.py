"""Listing contacts: filters, sort orders and keyset pagination, each served by a declared index."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api.errors import MalformedRequest, UnprocessableContent, ValidationIssue
from api.services.contacts import FULL_VIEW, Stored, contacts, is_contact_id
from api.services.scope import Scope
from models.channels import normalize_email, normalize_phone
from models.contact import OUTPUT_FIELDS, fold

SORT_KEYS: dict[str, tuple[str, int]] = {
    "created_at": ("created_at", 1),
    "-created_at": ("created_at", -1),
    "updated_at": ("updated_at", 1),
    "-updated_at": ("updated_at", -1),
    "name": ("name_key", 1),
    "-name": ("name_key", -1),
}
SELECTABLE_FIELDS = tuple(name for name in OUTPUT_FIELDS if name != "id")
_FIELD_NAME = "(?:" + "|".join(OUTPUT_FIELDS) + ")"
FIELDS_PATTERN = f"^{_FIELD_NAME}(?:,{_FIELD_NAME})*$"
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]+$")
_BAD_CURSOR = "The cursor is not valid for this listing; use a next_cursor returned by this API."


@dataclass(frozen=True, slots=True)
class ContactQuery:
    """A validated listing request."""

    limit: int = 20
    sort: str = "created_at"
    fields: tuple[str, ...] = OUTPUT_FIELDS
    q: str | None = None
    tags: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    updated_since: datetime | None = None
    after: list[Any] | None = field(default=None)


def parse_sort(sort: str) -> str:
    """The sort name, or a 400 naming the allowed ones."""
    if sort not in SORT_KEYS:
        raise MalformedRequest(f"Unknown sort {sort[:50]!r}; use one of: {', '.join(SORT_KEYS)}.")
    return sort


def parse_fields(fields: str | None) -> tuple[str, ...]:
    """The requested output fields (`id` always included), or a 400 naming the allowed ones."""
    if fields is None:
        return OUTPUT_FIELDS
    names = fields.split(",")
    if any(name not in OUTPUT_FIELDS for name in names):
        raise MalformedRequest(f"Unknown field(s) in fields=; use any of: {', '.join(SELECTABLE_FIELDS)}.")
    return ("id", *dict.fromkeys(name for name in names if name != "id"))


def cursor_position(query: ContactQuery, last: Stored) -> list[Any]:
    """What a cursor after `last` must remember: the sort, its key and the id."""
    key, _ = SORT_KEYS[query.sort]
    value = last[key]
    return [query.sort, value.isoformat() if isinstance(value, datetime) else value, last["_id"]]


def check_position(sort: str, position: list[Any]) -> list[Any]:
    """A decoded cursor position, checked to belong to this sort order; else a 400."""
    if len(position) != 3 or position[0] != sort or not is_contact_id(position[2]):
        raise MalformedRequest(_BAD_CURSOR)
    key, _ = SORT_KEYS[sort]
    value = position[1]
    try:
        if key != "name_key":
            value = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise MalformedRequest(_BAD_CURSOR) from None
    if not isinstance(value, str | datetime):
        raise MalformedRequest(_BAD_CURSOR)
    return [sort, value, position[2]]


async def list_contacts(scope: Scope, query: ContactQuery) -> tuple[list[Stored], bool]:
    """One page of matching contacts in the requested order, and whether more follow."""
    key, direction = SORT_KEYS[query.sort]
    if query.fields == OUTPUT_FIELDS:
        projection = {hidden: 0 for hidden in FULL_VIEW if hidden != key}
    else:
        projection = dict.fromkeys((*query.fields[1:], key), 1)
    cursor = (
        contacts()
        .find(_filter(scope, query), projection)
        .sort([(key, direction), ("_id", direction)])
        .limit(query.limit + 1)
    )
    found = await cursor.to_list(query.limit + 1)
    return found[: query.limit], len(found) > query.limit


def _filter(scope: Scope, query: ContactQuery) -> dict[str, Any]:
    where = scope.where()
    clauses: list[dict[str, Any]] = []
    if query.tags:
        where["tag_keys"] = {"$all": [fold(tag) for tag in query.tags]}
    if query.email is not None:
        where["email_keys"] = fold(_normalized(normalize_email, query.email, "/email"))
    if query.phone is not None:
        where["phones.value"] = _normalized(normalize_phone, query.phone, "/phone")
    if query.company is not None:
        where["company_key"] = fold(query.company)
    if query.updated_since is not None:
        clauses.append({"updated_at": {"$gte": query.updated_since}})
    if query.q is not None:
        clauses.append(
            # An anchored literal regex is a prefix range for MongoDB's index, and the embedded database runs it
            # in SQL (a two-sided range inside $elemMatch would make it read every document into Python).
            {"$or": [{"search_terms": {"$elemMatch": {"$regex": "^" + re.escape(t)}}} for t in _terms(query.q)]}
        )
    if query.after is not None:
        clauses.append(_after(query))
    if clauses:
        where["$and"] = clauses
    return where


def _after(query: ContactQuery) -> dict[str, Any]:
    assert query.after is not None
    key, direction = SORT_KEYS[query.sort]
    _, value, last_id = query.after
    beyond = "$gt" if direction == 1 else "$lt"
    return {"$or": [{key: {beyond: value}}, {key: value, "_id": {beyond: last_id}}]}


def _terms(q: str) -> list[str]:
    terms = [fold(q.strip())]
    digits = re.sub(r"\D", "", q)
    if digits and _PHONE_LIKE.match(q):
        terms.append(digits)
    return list(dict.fromkeys(terms))


def _normalized(normalize: Any, value: str, pointer: str) -> str:
    try:
        result: str = normalize(value)
    except ValueError as error:
        raise UnprocessableContent([ValidationIssue(location="query", pointer=pointer, detail=str(error))]) from None
    return result
