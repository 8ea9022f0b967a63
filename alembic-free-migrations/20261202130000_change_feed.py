# mypy: allow-untyped-decorators
"""Contacts get their place in their tenant's change feed: `owner` and `seq`, and the index `(owner, seq)`.

From this migration on, every create, change and delete of a contact takes its tenant's next change number from
the tenant's document in `change_counters` (`{_id: tenant, seq: last number given, purged_through}`) and stores
it as the contact's `seq`; `owner` is the tenant, live or deleted (a deleted contact stays, its `tenant` set to
the tenant's trash partition "<tenant>:trash"); `change` says what the last change was.

Forward: create the index `(owner, seq)`; then give each contact without `seq` its `owner` (its `tenant`) and
the tenant's next numbers, in `(created_at, _id)` order, a block per batch taken from the counter with `$inc`
exactly as the service takes them (api/changes/counters.py), so a service already running never gets a number
this migration gives; then raise each tenant's counter to at least its highest `seq` (`$max`). `change` is left
unset: what an old contact's last change was is not known. A contact the new code numbered keeps its number.
An interrupted run only leaves unused numbers (gaps, which the feed steps over) and numbers the rest when run
again; the few contacts of a batch cut short may then be numbered out of their created order.

Backward: the older code has neither a trash nor a change feed. Every sync token handed out so far is expired
(each counter's `purged_through` moves past its `seq`), so a client that synced before the rollback starts over
instead of missing what the older code changes and deletes without a trace; the trashed contacts (`tenant`
"<tenant>:trash") are deleted, as their users asked, since the older code would not know them from a tenant;
`owner`, `seq` and `change` are removed from the live contacts; the index `(owner, seq)` is dropped. The
`change_counters` collection is kept, unused by the older code: a later forward run numbers on from it, so no
contact ever takes a number an expired token already saw. Both directions only do what is still to be done.
"""

import logging
from typing import Any

from beanie import Document, free_fall_migration
from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

BATCH = 1000
FEED_INDEX = [("owner", ASCENDING), ("seq", ASCENDING)]
# The code of this migration also declares these; created here, under the migration's deadline, because on a large
# collection their creation at the service's start could take longer than DB_TIMEOUT.
IMPORT_INDEX = [("tenant", ASCENDING), ("external_id", ASCENDING)]
TRASH_INDEX = [("tenant", ASCENDING), ("deleted_at", ASCENDING), ("_id", ASCENDING)]
CHANGE_FIELDS = ("owner", "seq", "change")
UNNUMBERED = {"seq": {"$exists": False}}
TRASHED = {"tenant": {"$regex": ":trash$"}}  # the trash partition of a tenant (tenant names hold no ':')

logger = logging.getLogger("migrations.change_feed")
Stored = dict[str, Any]


class StoredContact(Document):
    """A stored contact, as far as this migration reads and writes it: its tenant, owner and change number."""

    id: str  # type: ignore[assignment]
    tenant: str
    owner: str | None = None
    seq: int | None = None

    class Settings:
        name = "contacts"


class StoredCounter(Document):
    """A tenant's change counter (`id` is the tenant): the last number given, and how far tokens are expired."""

    id: str  # type: ignore[assignment]
    seq: int = 0
    purged_through: int = 0

    class Settings:
        name = "change_counters"


async def allocate(counters: AsyncCollection[Stored], tenant: str, count: int, session: Any) -> int:
    """Reserve `count` consecutive change numbers for `tenant`, as the service reserves them; the first of them."""
    counter = await counters.find_one_and_update(
        {"_id": tenant}, {"$inc": {"seq": count}}, upsert=True, return_document=ReturnDocument.AFTER, session=session
    )
    if counter is None:  # an upsert returns the document; a database that does not is unusable here
        raise RuntimeError("the database returned no change counter after an upsert")
    return int(counter["seq"]) - count + 1


async def number_tenant(
    contacts: AsyncCollection[Stored], counters: AsyncCollection[Stored], tenant: str, session: Any
) -> int:
    """Give each of the tenant's contacts without `seq` its owner and the tenant's next number; how many."""
    done = 0
    lacking = {"tenant": tenant, **UNNUMBERED}
    oldest_first = [("created_at", ASCENDING), ("_id", ASCENDING)]
    while batch := await contacts.find(lacking, {"_id": 1}, session=session).sort(oldest_first).limit(BATCH).to_list():
        first = await allocate(counters, tenant, len(batch), session)
        updates = [
            UpdateOne({"_id": contact["_id"], **UNNUMBERED}, {"$set": {"owner": tenant, "seq": first + offset}})
            for offset, contact in enumerate(batch)
        ]
        await contacts.bulk_write(updates, ordered=False, session=session)
        done += len(batch)
        logger.info("change feed: %d contacts of tenant %r numbered so far", done, tenant)
    return done


async def number_contacts(contacts: AsyncCollection[Stored], counters: AsyncCollection[Stored], session: Any) -> int:
    """Number every contact without `seq`, tenant by tenant; how many."""
    done = 0
    while unnumbered := await contacts.find_one(UNNUMBERED, {"tenant": 1}, session=session):
        done += await number_tenant(contacts, counters, unnumbered["tenant"], session)
    return done


async def raise_counters(contacts: AsyncCollection[Stored], counters: AsyncCollection[Stored], session: Any) -> None:
    """Make each owner's counter at least the highest `seq` among its contacts (owner by owner, on the index)."""
    owner = ""
    while found := await contacts.find_one(
        {"owner": {"$gt": owner}}, {"owner": 1}, sort=[("owner", ASCENDING)], session=session
    ):
        owner = found["owner"]
        last = await contacts.find_one({"owner": owner}, {"seq": 1}, sort=[("seq", DESCENDING)], session=session)
        if last is not None and isinstance(last.get("seq"), int):
            await counters.update_one({"_id": owner}, {"$max": {"seq": last["seq"]}}, upsert=True, session=session)


async def expire_sync_tokens(counters: AsyncCollection[Stored], session: Any) -> int:
    """Expire every sync token handed out so far: each counter's `purged_through` past its last number; how many."""
    expired = 0
    async for counter in counters.find({}, {"seq": 1}, session=session):
        beyond = int(counter.get("seq", 0)) + 1
        await counters.update_one({"_id": counter["_id"]}, {"$max": {"purged_through": beyond}}, session=session)
        expired += 1
    return expired


async def drop_index(contacts: AsyncCollection[Stored], keys: list[tuple[str, int]], session: Any) -> None:
    """Drop the index on `keys`, if there is one."""
    async for index in await contacts.list_indexes(session=session):
        if list(index["key"].items()) == keys:
            await contacts.drop_index(index["name"], session=session)


class Forward:
    @free_fall_migration(document_models=[StoredContact, StoredCounter])
    async def number_the_contacts(self, session: AsyncClientSession) -> None:
        contacts = StoredContact.get_pymongo_collection()
        counters = StoredCounter.get_pymongo_collection()
        for index in (FEED_INDEX, IMPORT_INDEX, TRASH_INDEX):
            await contacts.create_index(index, session=session)
        done = await number_contacts(contacts, counters, session)
        await raise_counters(contacts, counters, session)
        logger.info(
            "change feed: %d contacts numbered; indexes (owner, seq), external_id and the trash's created", done
        )


class Backward:
    @free_fall_migration(document_models=[StoredContact, StoredCounter])
    async def remove_the_numbers(self, session: AsyncClientSession) -> None:
        contacts = StoredContact.get_pymongo_collection()
        counters = StoredCounter.get_pymongo_collection()
        tenants = await expire_sync_tokens(counters, session)
        trashed = await contacts.delete_many(TRASHED, session=session)
        numbered = {"$or": [{field: {"$exists": True}} for field in CHANGE_FIELDS]}
        unset = await contacts.update_many(numbered, {"$unset": dict.fromkeys(CHANGE_FIELDS, "")}, session=session)
        for index in (FEED_INDEX, IMPORT_INDEX, TRASH_INDEX):
            await drop_index(contacts, index, session)
        logger.info(
            "change feed: sync tokens of %d tenants expired, %d trashed contacts deleted, %d contacts unnumbered",
            tenants,
            trashed.deleted_count,
            unset.modified_count,
        )
