"""A contact's history, newest first, and restoring one of its versions."""

from dataclasses import dataclass
from typing import Any

from api.contacts import repository
from api.contacts.schemas import ContactOut, ContactWrite
from api.contacts.service import ContactNotFound, change_contact, current_contact, validated
from api.errors import UnprocessableContent, ValidationIssue
from api.history import repository as history
from api.preconditions import Precondition
from api.scope import Scope
from models.contact import CARD_PROPERTIES


@dataclass(frozen=True, slots=True)
class Versions:
    """A page of versions, newest first, and the version the next page starts below (None: none left)."""

    items: list[dict[str, Any]]
    next_before: int | None


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    patch = entry.get("patch")
    if patch is None:
        patch = entry["fields"] if entry["kind"] in ("created", "imported") and entry["version"] == 1 else {}
    patch = {key: value for key, value in patch.items() if key != CARD_PROPERTIES}
    shown = {key: entry.get(key) for key in ("version", "kind", "at", "key_id")} | {"patch": patch}
    return shown | {detail: entry[detail] for detail in history.MERGE_DETAILS if detail in entry}


async def list_versions(scope: Scope, contact_id: str, limit: int, before: int | None) -> Versions:
    """Up to `limit` versions of a contact (live or in the trash) older than `before`, newest first."""
    contact = await repository.find_owned(scope, contact_id)
    if contact is None:
        raise ContactNotFound
    current = history.version_of(contact)
    items: list[dict[str, Any]] = []
    below = before if before is not None else current["version"] + 1
    if current["version"] < below:
        items, below = [current], current["version"]
    items += await history.find_before(scope, contact_id, below, limit + 1 - len(items))
    page = items[:limit]
    return Versions([_shown(entry) for entry in page], page[-1]["version"] if len(items) > limit else None)


async def restore(scope: Scope, contact_id: str, version: int, precondition: Precondition | None) -> ContactOut:
    """Make a new version of a live contact equal to its version `version` (404, 410 if merged away, 409 while a
    merge locks it)."""
    current = await current_contact(scope, contact_id)
    entry = history.version_of(current) if version == current["version"] else None
    entry = entry or await history.find_version(scope, contact_id, version)
    if entry is None:
        detail = f"The contact has no version {version} (it never had one, or it is past HISTORY_RETENTION)."
        raise UnprocessableContent([ValidationIssue(location="body", pointer="/version", detail=detail)])
    fields = dict(entry["fields"])
    properties = fields.pop(CARD_PROPERTIES, [])
    contact = validated(ContactWrite, fields)
    return await change_contact(
        scope, contact_id, precondition, lambda _: contact, kind="restored", properties=properties
    )
