"""Member counts kept exact without transactions: a write that changes them marks the groups first.

A group's `member_count` is changed by a second write after the contacts' own (joining or leaving, deleting or
undeleting a member). Before the contacts are written, each group affected gets a marker in `pending`; the
count's change then removes it in the same update. A write cut short (a killed process, a database timeout)
leaves its marker behind, and a group whose markers are all older than any write can last is recounted the
next time it is read. The recount is conditional on `pending` being unchanged, so it never races with a
write that marked the group after it looked.
"""

from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from api.contacts.repository import collection as contacts
from api.database import any_of, collection_of, in_batches
from api.scope import Scope
from models.contact import GROUPS_FIELD, new_contact_id, utc_now
from models.group import Group

Document = dict[str, Any]
# Longer than any marked write can take: at most a dozen round trips, each within DB_TIMEOUT (at most 60 s).
STALE_AFTER = timedelta(minutes=15)


def collection() -> AsyncCollection[Document]:
    """The groups collection."""
    return collection_of(Group)


@asynccontextmanager
async def changing(scope: Scope, group_ids: Iterable[str]) -> AsyncIterator[Counter[str]]:
    """Mark `group_ids` as changing; the caller writes the contacts and tallies each group's change in members.

    On a clean exit, every group in the tally gets its change (and a new version) and every mark is removed.
    On an error the marks stay, and the groups are recounted once they are stale.
    """
    marked = sorted(set(group_ids))
    marker = {"op": new_contact_id(), "at": utc_now()}
    for batch in in_batches(marked):
        await collection().update_many(scope.where(**any_of("_id", batch)), {"$push": {"pending": marker}})
    tally: Counter[str] = Counter()
    yield tally
    unmark = {"$pull": {"pending": {"op": marker["op"]}}}
    by_delta: dict[int, list[str]] = {}
    for group_id, delta in tally.items():
        if delta:
            by_delta.setdefault(delta, []).append(group_id)
    for delta, groups in by_delta.items():
        change = {"$inc": {"member_count": delta, "version": 1}, "$set": {"updated_at": utc_now()}} | unmark
        for batch in in_batches(sorted(groups)):
            await collection().update_many(scope.where(**any_of("_id", batch)), change)
    unchanged = [group_id for group_id in marked if not tally[group_id]]
    for batch in in_batches(unchanged):
        await collection().update_many(scope.where(**any_of("_id", batch)), unmark)


async def settled(scope: Scope, group: Document) -> Document:
    """`group` with an exact `member_count`: recounted if a write that was changing it never finished."""
    pending = group.get("pending") or []
    if not pending or any(marker["at"] > utc_now() - STALE_AFTER for marker in pending):
        return group
    count = await contacts().count_documents(scope.where(**{GROUPS_FIELD: group["_id"]}))
    recounted = {"member_count": count, "pending": [], "updated_at": utc_now()}
    update = {"$set": recounted, "$inc": {"version": 1}}
    result = await collection().update_one(scope.where(_id=group["_id"], pending=pending), update)
    if result.modified_count != 1:
        return group  # a write marked it meanwhile: the next read recounts, if it is ever needed
    return group | recounted | {"version": group["version"] + 1}
