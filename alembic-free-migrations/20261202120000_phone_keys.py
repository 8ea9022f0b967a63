# mypy: allow-untyped-decorators
"""Contacts get `phone_keys`, and the `phone=` filter's index moves from `(tenant, phones.value)` to it.

`phone_keys` is a derived key: the E.164 values of the contact's phones, sorted and unique, written by every
write from this migration on. The filter matches it as the `email=` filter matches `email_keys`: equality on a
top-level array, which the embedded database answers from SQL, where `phones.value` (a path through an array of
objects) made it read every contact into Python. MongoDB serves either from its index.

Forward: create the index `(tenant, phone_keys)`, backfill `phone_keys` on every contact that lacks it, then drop
`(tenant, phones.value)`. Backward: recreate `(tenant, phones.value)`, remove `phone_keys`, drop its index. Both
only do what is still to be done, so an interrupted run just runs again.
"""

import logging
from typing import Any

from beanie import Document, free_fall_migration
from pydantic import Field
from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

BATCH = 1000
PHONE_KEYS_INDEX = [("tenant", ASCENDING), ("phone_keys", ASCENDING)]
PHONES_INDEX = [("tenant", ASCENDING), ("phones.value", ASCENDING)]

logger = logging.getLogger("migrations.phone_keys")
Stored = dict[str, Any]


class StoredContact(Document):
    """A stored contact, as far as this migration reads and writes it: its phones and their keys."""

    id: str  # type: ignore[assignment]
    phones: list[Stored] = Field(default_factory=list)
    phone_keys: list[str] = Field(default_factory=list)

    class Settings:
        name = "contacts"


def phone_keys(contact: Stored) -> list[str]:
    """The contact's phone keys, as the API derives them: its phones' (E.164) values, sorted and unique."""
    return sorted({phone["value"] for phone in contact.get("phones") or [] if isinstance(phone.get("value"), str)})


async def create_index(contacts: AsyncCollection[Stored], keys: list[tuple[str, int]], session: Any) -> None:
    """Create the index on `keys` (nothing happens when it exists)."""
    await contacts.create_index(keys, session=session)


async def drop_index(contacts: AsyncCollection[Stored], keys: list[tuple[str, int]], session: Any) -> None:
    """Drop the index on `keys`, if there is one."""
    async for index in await contacts.list_indexes(session=session):
        if list(index["key"].items()) == keys:
            await contacts.drop_index(index["name"], session=session)


async def backfill(contacts: AsyncCollection[Stored], session: Any) -> int:
    """Set `phone_keys` on every contact without it; how many were set."""
    done = 0
    lacking = {"phone_keys": {"$exists": False}}
    while batch := await contacts.find(lacking, {"phones": 1}, session=session).sort("_id", 1).limit(BATCH).to_list():
        # A write of the new code in between sets the key itself: leave it.
        updates = [UpdateOne({"_id": c["_id"], **lacking}, {"$set": {"phone_keys": phone_keys(c)}}) for c in batch]
        await contacts.bulk_write(updates, ordered=False, session=session)
        done += len(batch)
        logger.info("phone_keys: %d contacts so far", done)
    return done


class Forward:
    @free_fall_migration(document_models=[StoredContact])
    async def add_phone_keys(self, session: AsyncClientSession) -> None:
        contacts = StoredContact.get_pymongo_collection()
        await create_index(contacts, PHONE_KEYS_INDEX, session)
        done = await backfill(contacts, session)
        await drop_index(contacts, PHONES_INDEX, session)
        logger.info("phone_keys: set on %d contacts; index (tenant, phone_keys) replaces (tenant, phones.value)", done)


class Backward:
    @free_fall_migration(document_models=[StoredContact])
    async def remove_phone_keys(self, session: AsyncClientSession) -> None:
        contacts = StoredContact.get_pymongo_collection()
        await create_index(contacts, PHONES_INDEX, session)
        keyed = {"phone_keys": {"$exists": True}}
        removed = await contacts.update_many(keyed, {"$unset": {"phone_keys": ""}}, session=session)
        await drop_index(contacts, PHONE_KEYS_INDEX, session)
        logger.info("phone_keys: removed from %d contacts; (tenant, phones.value) is back", removed.modified_count)
