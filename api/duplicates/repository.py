"""What the duplicate finder reads (the tenant's changed contacts, a few fields) and the dismissed pairs."""

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from api.contacts.repository import collection as contacts
from api.database import collection_of, delete_in_batches, walk
from api.duplicates.matching import Candidate
from api.scope import Scope
from models.contact import utc_now
from models.duplicate_dismissal import DuplicateDismissal

Document = dict[str, Any]
READ = {"name": 1, "email_keys": 1, "phone_keys": 1, "company_key": 1, "seq": 1, "updated_at": 1, "deleted_at": 1}


def _dismissals() -> AsyncCollection[Document]:
    return collection_of(DuplicateDismissal)


async def changed(scope: Scope, since: int, limit: int, keep: tuple[str, ...] = ()) -> list[Document]:
    """Up to `limit` of the tenant's contacts, live or deleted, changed after change number `since`, in order: the
    few fields the finder reads (a change feed finder for `api.changes.service.settled_changes`)."""
    # The tenant's (owner, seq) index serves it.
    cursor = contacts().find(scope.owned(seq={"$gt": since}), READ | dict.fromkeys(keep, 1))
    return await cursor.sort("seq", 1).limit(limit).to_list()


def candidate(document: Document) -> Candidate | None:
    """The contact as the finder sees it; None when it is deleted (in the trash, or merged away)."""
    if document.get("deleted_at") is not None:
        return None
    return Candidate(
        document["_id"],
        document.get("name", ""),
        tuple(document.get("email_keys", ())),
        tuple(document.get("phone_keys", ())),
        document.get("company_key"),
    )


def _dismissal_id(scope: Scope, pair: tuple[str, str]) -> str:
    return f"{scope.tenant}:{pair[0]}:{pair[1]}"


async def dismiss(scope: Scope, pair: tuple[str, str]) -> None:
    """Record that the two contacts (ids in order) are not one person; again is a no-op."""
    record = {"tenant": scope.tenant, "contact_ids": list(pair), "at": utc_now(), "key_id": scope.key_id}
    await _dismissals().update_one(
        {"_id": _dismissal_id(scope, pair)},
        {"$setOnInsert": {k: v for k, v in record.items() if v is not None}},
        upsert=True,
    )


async def dismissed(scope: Scope) -> set[tuple[str, str]]:
    """Every pair the tenant dismissed (ids in order)."""
    found = walk(_dismissals(), scope.where(), batch=1000)
    return {(document["contact_ids"][0], document["contact_ids"][1]) async for document in found}


async def erase(scope: Scope) -> int:
    """Delete the tenant's dismissals; how many."""
    return await delete_in_batches(_dismissals(), scope.where())
