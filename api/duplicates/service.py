"""The duplicate finder: an index of the tenant's contacts per worker, kept up to date from the change feed.

The first request reads every contact of the tenant (a few fields, a page per round trip) and scores only the
pairs that share a block (api/duplicates/matching.py). Later requests read the changes since (the change feed,
which never skips a change still being made, and whose purges and erasures start the index again) and rescore
only the pairs those changes can affect (api/duplicates/index.py). Dismissals are applied at each request.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from cachetools import TTLCache

from api.changes import counters
from api.changes.service import settled_changes
from api.contacts import repository as contacts
from api.contacts.repository import to_record
from api.contacts.schemas import ContactOut
from api.database import in_batches
from api.duplicates import matching
from api.duplicates import repository as duplicates
from api.duplicates.index import Index, Pair
from api.duplicates.schemas import MAX_SHOWN
from api.errors import MalformedRequest, UnprocessableContent, ValidationIssue
from api.scope import Scope
from models.contact import is_contact_id

READ_PAGE = 1000  # contacts per round trip of the first read
PAGE_BATCH = 500  # contacts fetched per round trip for a page of groups (up to limit x MAX_SHOWN)
_BAD_CURSOR = "The cursor is not valid for this listing; use a next_cursor returned by this API."


@dataclass(slots=True)
class _Kept:
    """A tenant's index in this worker, its lock (one update at a time), and the groups last found from it."""

    index: Index = field(default_factory=Index)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    groups: tuple[dict[Pair, matching.Link], frozenset[Pair], list[matching.Group]] | None = None


# A few tenants' indexes per worker (tens of MB at 100k contacts each); one unused for 15 minutes is dropped.
_KEPT: TTLCache[tuple[str, str], _Kept] = TTLCache(maxsize=4, ttl=900)


@dataclass(frozen=True, slots=True)
class Found:
    """A group of likely duplicates, with (the first MAX_SHOWN of) its contacts."""

    score: float
    reasons: list[str]
    size: int
    contacts: list[ContactOut]


async def _current(scope: Scope, settle: timedelta) -> tuple[_Kept, dict[Pair, matching.Link]]:
    """The tenant's kept index, brought up to date with its changes, and its links as of now."""
    key = (contacts.collection().database.name, scope.tenant)
    kept = _KEPT[key] = _KEPT.get(key) or _Kept()  # set again: an index in use is not dropped
    async with kept.lock:
        counter = await counters.read(scope)
        index = kept.index
        if counter.seq < index.through or counter.purged_through > index.through:
            index = Index()  # erased, or deletions purged before this index saw them: read everything again
        if counter.seq > index.through:
            changes: dict[str, matching.Candidate | None] = {}
            since, more = index.through, True
            while more:
                found, since, more = await settled_changes(scope, since, READ_PAGE, settle, find=duplicates.changed)
                changes.update((document["_id"], duplicates.candidate(document)) for document in found)
            await asyncio.to_thread(index.apply, changes, since)  # seconds of CPU at 100k: let others in
        kept.index = index
        return kept, index.links


async def groups(scope: Scope, settle: timedelta) -> list[matching.Group]:
    """The tenant's groups of likely duplicates, ordered by their first contact's id."""
    kept, links = await _current(scope, settle)
    dismissed = frozenset(await duplicates.dismissed(scope))
    if kept.groups is None or kept.groups[0] is not links or kept.groups[1] != dismissed:
        kept.groups = (links, dismissed, matching.find_groups(list(links.values()), dismissed))
    return kept.groups[2]


async def find(
    scope: Scope, limit: int, after: list[Any] | None, settle: timedelta
) -> tuple[list[Found], list[Any] | None]:
    """A page of groups of likely duplicates, ordered by their first contact's id, and where the next page starts.

    `settle`: how long the change feed waits on a change still being made (Settings.sync_settle).
    """
    start = _position(after) if after is not None else ""
    page = [group for group in await groups(scope, settle) if group.ids[0] > start][: limit + 1]
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
    for batch in in_batches(contact_ids, PAGE_BATCH):
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
