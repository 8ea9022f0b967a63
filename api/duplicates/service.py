"""The duplicate finder: a scan of the tenant's contacts through blocking keys, kept while nothing changes.

A scan reads every live contact once (a few fields, a page per round trip) and scores only the pairs that share
a block (api/duplicates/matching.py). Its links are kept in the worker, keyed by the tenant's last change
number, so paging through the groups scans once; any change to a contact makes the next request scan again.
Dismissals are applied to the kept links at each request.
"""

import asyncio
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache

from api.changes import counters
from api.contacts import repository as contacts
from api.contacts.repository import to_record
from api.contacts.schemas import ContactOut
from api.database import in_batches
from api.duplicates import matching
from api.duplicates import repository as duplicates
from api.duplicates.schemas import MAX_SHOWN
from api.errors import MalformedRequest, UnprocessableContent, ValidationIssue
from api.scope import Scope
from models.contact import is_contact_id

# A write that took its change number before a scan read the counter, and landed after the scan read past it,
# is missing from that scan until the next change or this long.
_SCANS: TTLCache[tuple[str, str, int], list[matching.Link]] = TTLCache(maxsize=8, ttl=300)
_BAD_CURSOR = "The cursor is not valid for this listing; use a next_cursor returned by this API."


@dataclass(frozen=True, slots=True)
class Found:
    """A group of likely duplicates, with (the first MAX_SHOWN of) its contacts."""

    score: float
    reasons: list[str]
    size: int
    contacts: list[ContactOut]


async def scan(scope: Scope) -> list[matching.Link]:
    """Every likely-duplicate pair of the tenant's live contacts (kept until the tenant's next change)."""
    key = (contacts.collection().database.name, scope.tenant, (await counters.read(scope)).seq)
    found = _SCANS.get(key)
    if found is None:
        candidates = [candidate async for candidate in duplicates.candidates(scope)]
        found = await asyncio.to_thread(matching.links, candidates)  # seconds of CPU at 100k: let others in
        _SCANS[key] = found
    return found


async def find(scope: Scope, limit: int, after: list[Any] | None) -> tuple[list[Found], list[Any] | None]:
    """A page of groups of likely duplicates, ordered by their first contact's id, and where the next page starts."""
    start = _position(after) if after is not None else ""
    groups = matching.find_groups(await scan(scope), await duplicates.dismissed(scope))
    page = [group for group in groups if group.ids[0] > start][: limit + 1]
    shown = {contact_id for group in page[:limit] for contact_id in group.ids[:MAX_SHOWN]}
    by_id = {document["_id"]: to_record(document) for document in await _documents(scope, sorted(shown))}
    found = [
        Found(
            group.score,
            sorted(group.reasons),
            len(group.ids),
            [by_id[contact_id] for contact_id in group.ids[:MAX_SHOWN] if contact_id in by_id],
        )
        for group in page[:limit]
    ]
    return found, ["duplicates", page[limit - 1].ids[0]] if len(page) > limit else None


async def _documents(scope: Scope, contact_ids: list[str]) -> list[dict[str, Any]]:
    documents = []
    for batch in in_batches(contact_ids):
        documents += await contacts.find_documents(scope, batch)
    return documents


def _position(after: list[Any]) -> str:
    if len(after) != 2 or after[0] != "duplicates" or not is_contact_id(after[1]):
        raise MalformedRequest(_BAD_CURSOR)
    position: str = after[1]
    return position


async def dismiss(scope: Scope, ids: list[str]) -> None:
    """Record that the two live contacts `ids` are not one person; a 422 for an id that is not one."""
    found = {document["_id"] for document in await contacts.find_documents(scope, ids)}
    issues = [
        ValidationIssue(location="body", pointer=f"/ids/{index}", detail="No live contact has this id.")
        for index, contact_id in enumerate(ids)
        if contact_id not in found
    ]
    if ids[0] == ids[1]:
        issues.append(ValidationIssue(location="body", pointer="/ids/1", detail="Two different contacts, please."))
    if issues:
        raise UnprocessableContent(issues)
    first, second = sorted(ids)
    await duplicates.dismiss(scope, (first, second))
