"""How contacts combine into one (no I/O): lists are unioned with duplicates folded, scalars chosen.

A list keeps the survivor's entries first, then each source's in request order; an entry equal to one already
kept (the same address ignoring case, the same E.164 number, the same tag ignoring case, the same address) is
folded into it. At most one email and one phone stay primary: the first kept. A scalar takes the value of the
contact the request chose for it, else the newest non-null value (by `updated_at`). A choice for a list takes
that contact's list whole. `sources` records, for every value, the contact it came from.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from models.contact import CARD_PROPERTIES, CLIENT_FIELDS, LIST_FIELDS, fold

Document = dict[str, Any]
SCALAR_FIELDS = tuple(field for field in CLIENT_FIELDS if field not in LIST_FIELDS)
CHOOSABLE_FIELDS = CLIENT_FIELDS


@dataclass(frozen=True, slots=True)
class Combined:
    """The merged client fields (as stored: JSON, unset ones absent), the kept vCard properties, and provenance."""

    fields: Document
    properties: list[str]
    sources: dict[str, Any]


def _address_key(address: Document) -> tuple[str, ...]:
    parts = ("street", "city", "region", "postal_code", "country")
    return tuple(" ".join(fold(str(address.get(part) or "")).split()) for part in parts)


_KEYS: dict[str, Callable[[Any], Any]] = {
    "emails": lambda entry: fold(entry["value"]),
    "phones": lambda entry: entry["value"],  # E.164 already
    "tags": fold,
    "addresses": _address_key,
}


def _union(field: str, contacts: list[Document]) -> tuple[list[Any], list[str]]:
    """`field`'s entries of every contact in order, duplicates folded; and the id each kept entry came from."""
    key = _KEYS[field]
    kept: list[Any] = []
    origins: list[str] = []
    seen: set[Any] = set()
    for contact in contacts:
        for entry in contact.get(field) or []:
            if key(entry) in seen:
                continue
            seen.add(key(entry))
            kept.append(entry)
            origins.append(contact["_id"])
    if field in ("emails", "phones"):
        primary_seen = False
        for index, entry in enumerate(kept):
            if entry.get("primary"):
                if primary_seen:
                    kept[index] = entry | {"primary": False}
                primary_seen = True
    return kept, origins


def _newest(field: str, contacts: list[Document]) -> Document | None:
    """The contact with the newest non-null value of `field` (the survivor wins a tie)."""
    holders = [contact for contact in contacts if contact.get(field) is not None]
    return max(reversed(holders), key=lambda contact: contact["updated_at"], default=None)


def combine(survivor: Document, sources: list[Document], choices: dict[str, str]) -> Combined:
    """The survivor's client fields after merging `sources` into it, `choices` naming the contact per field."""
    contacts = [survivor, *sources]
    by_id = {contact["_id"]: contact for contact in contacts}
    fields: Document = {}
    provenance: dict[str, Any] = {}
    for field in CLIENT_FIELDS:
        chosen = by_id[choices[field]] if field in choices else None
        if field in LIST_FIELDS:
            values, origins = _union(field, [chosen] if chosen is not None else contacts)
            if values:
                fields[field], provenance[field] = values, origins
            continue
        holder = chosen if chosen is not None else _newest(field, contacts)
        if holder is not None and holder.get(field) is not None:
            fields[field], provenance[field] = holder[field], holder["_id"]
    properties = list(dict.fromkeys(line for contact in contacts for line in contact.get(CARD_PROPERTIES) or []))
    return Combined(fields, properties, provenance)
