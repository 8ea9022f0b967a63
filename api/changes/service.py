"""The change feed: a tenant's changes after a sync token, in order, never skipping one that is still being made.

Each change takes the tenant's next number before it is written (api/contacts/writes.py), so two concurrent
changes can land out of order: number 8 may be visible while 7 is still being written. A gap in the numbers is
such a change, or a number whose change failed, or a number a contact held before it changed again. The last
kind is known (the counter keeps the numbers recently vacated) and skipped at once. Before any other gap the feed
stops until the change after it is older than `Settings.sync_settle`: by then any write that took a smaller
number has been made or has given up, so nothing is ever skipped.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from api.changes import counters
from api.changes.tokens import SyncToken, SyncTokenExpired
from api.contacts import repository
from api.contacts.repository import Document, to_record
from api.contacts.schemas import ContactOut
from api.scope import Scope
from models.contact import utc_now


@dataclass(frozen=True, slots=True)
class ChangesRead:
    """Changes after a token: contacts to store, deletions, the last change number read, whether more follow."""

    changed: list[ContactOut]
    deleted: list[dict[str, Any]]  # id, deleted_at, merged_into
    through: int
    has_more: bool


def check_fresh(token: SyncToken, purged_through: int, ttl: timedelta) -> None:
    """410 for a token older than SYNC_TOKEN_TTL, or from before a purge of deletions it has not seen."""
    expired = utc_now().timestamp() - token.issued_at > ttl.total_seconds()
    if expired or (token.seq > 0 and token.seq < purged_through):
        raise SyncTokenExpired


async def read_changes(scope: Scope, token: SyncToken, limit: int, ttl: timedelta, settle: timedelta) -> ChangesRead:
    """Up to `limit` changes after `token`, in order."""
    counter = await counters.read(scope)
    check_fresh(token, counter.purged_through, ttl)
    taken, through, has_more = await _settled(scope, counter, token.seq, limit, settle, ())
    return _read(taken, through, has_more=has_more)


Finder = Callable[[Scope, int, int, tuple[str, ...]], Awaitable[list[Document]]]


async def settled_changes(
    scope: Scope,
    since: int,
    limit: int,
    settle: timedelta,
    keep: tuple[str, ...] = (),
    *,
    counted_in: Scope | None = None,
    find: Finder = repository.find_changed,
) -> tuple[list[Document], int, bool]:
    """The stored contacts changed after change number `since`, in order, never past a change still being made.

    Also the last number read, and whether more follow. `keep`: hidden fields to return too (webhooks need the
    change itself). Another feed numbered the same way (the groups') gives its counter's scope and its `find`.
    """
    counter = await counters.read(counted_in or scope)
    return await _settled(scope, counter, since, limit, settle, keep, find)


async def _settled(
    scope: Scope,
    counter: counters.Counter,
    since: int,
    limit: int,
    settle: timedelta,
    keep: tuple[str, ...],
    find: Finder = repository.find_changed,
) -> tuple[list[Document], int, bool]:
    found = await find(scope, since, limit + 1, keep)
    settled_before = utc_now() - settle
    taken: list[Document] = []
    through = since
    for document in found[:limit]:
        unknown_gap = not _vacated(range(through + 1, document["seq"]), counter.vacated)
        if unknown_gap and document["updated_at"] > settled_before:
            return taken, through, False  # a change before it may still be landing
        taken.append(document)
        through = document["seq"]
    return taken, through, len(found) > limit


def _vacated(numbers: range, vacated: frozenset[int]) -> bool:
    return len(numbers) <= len(vacated) and all(number in vacated for number in numbers)


def _read(documents: list[Document], through: int, *, has_more: bool) -> ChangesRead:
    changed = [to_record(document) for document in documents if document.get("deleted_at") is None]
    deleted = [
        {"id": document["_id"], "deleted_at": document["deleted_at"], "merged_into": document.get("merged_into")}
        for document in documents
        if document.get("deleted_at")
    ]
    return ChangesRead(changed, deleted, through, has_more)
