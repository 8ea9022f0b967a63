"""The rules of a listing: sort orders, field selection, filters and keyset positions (no I/O).

`ContactQuery` is a listing request that passed these rules; the repository turns it into one
indexed query (README: "Indexes").
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.errors import MalformedRequest, UnprocessableContent, ValidationIssue
from models.channels import normalize_email, normalize_phone
from models.contact import CLIENT_FIELDS, SERVER_FIELDS, fold, is_contact_id

SORT_KEYS: dict[str, tuple[str, int]] = {
    "created_at": ("created_at", 1),
    "-created_at": ("created_at", -1),
    "updated_at": ("updated_at", 1),
    "-updated_at": ("updated_at", -1),
    "name": ("name_key", 1),
    "-name": ("name_key", -1),
}
OUTPUT_FIELDS = ("id", *CLIENT_FIELDS, *SERVER_FIELDS)
SELECTABLE_FIELDS = OUTPUT_FIELDS[1:]
_FIELD_NAME = "(?:" + "|".join(OUTPUT_FIELDS) + ")"
FIELDS_PATTERN = f"^{_FIELD_NAME}(?:,{_FIELD_NAME})*$"
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]+$")
_BAD_CURSOR = "The cursor is not valid for this listing; use a next_cursor returned by this API."

Position = tuple[str | datetime, str]  # the last item's sort key value and id


@dataclass(frozen=True, slots=True)
class ContactQuery:
    """A listing request that passed the rules: filters are normalised and folded as stored."""

    limit: int = 20
    sort: str = "created_at"
    fields: tuple[str, ...] = OUTPUT_FIELDS
    search_terms: tuple[str, ...] = ()
    tag_keys: tuple[str, ...] = ()
    email_key: str | None = None
    phone: str | None = None
    company_key: str | None = None
    group_id: str | None = None
    updated_since: datetime | None = None
    after: Position | None = None

    @property
    def sort_key(self) -> tuple[str, int]:
        """The stored key this listing is ordered by, and its direction (1 or -1)."""
        return SORT_KEYS[self.sort]


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


def search_terms(q: str) -> tuple[str, ...]:
    """What `q` matches as a prefix: its folded text, and its digits when it looks like a phone number."""
    terms = [fold(q.strip())]
    digits = re.sub(r"\D", "", q)
    if digits and _PHONE_LIKE.match(q):
        terms.append(digits)
    return tuple(dict.fromkeys(terms))


def email_key(email: str) -> str:
    """The stored key an `email=` filter matches; a 422 when it is not an address."""
    return fold(_normalized(normalize_email, email, "/email"))


def phone_value(phone: str) -> str:
    """The E.164 number a `phone=` filter matches; a 422 when it is not a phone number."""
    return _normalized(normalize_phone, phone, "/phone")


def cursor_payload(sort: str, after: Position) -> list[Any]:
    """What a cursor resuming after `after` must remember: the sort order, the sort key's value and the id."""
    value, last_id = after
    return [sort, value.isoformat() if isinstance(value, datetime) else value, last_id]


def check_position(sort: str, position: list[Any]) -> Position:
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
    return value, position[2]


def _normalized(normalize: Any, value: str, pointer: str) -> str:
    try:
        result: str = normalize(value)
    except ValueError as error:
        raise UnprocessableContent([ValidationIssue(location="query", pointer=pointer, detail=str(error))]) from None
    return result
