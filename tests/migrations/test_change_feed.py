"""Contacts get their place in their tenant's change feed, numbered in created order; and back."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.database import Database

from api.changes.service import check_fresh
from api.changes.tokens import SyncToken, SyncTokenExpired
from api.contacts import writes
from api.contacts.repository import new_document
from api.contacts.schemas import ContactWrite
from api.migrations import repository
from api.migrations.service import downgrade, status, upgrade
from api.scope import Scope
from api.settings import Settings
from models.contact import Contact
from tests.migrations.conftest import before, migration

Client = AsyncMongoClient[dict[str, Any]]
Stored = dict[str, Any]
SLUG = "change_feed"
FEED_INDEX = "owner_1_seq_1"
IMPORT_INDEX = "tenant_1_external_id_1"
TRASH_INDEX = "tenant_1_deleted_at_1__id_1"
NEW_INDEXES = (FEED_INDEX, IMPORT_INDEX, TRASH_INDEX)
START = datetime(2026, 1, 1, tzinfo=UTC)
# Listed in created order, stored in another (`minutes` after START): numbers follow `created_at`, not insertion.
CONTACTS: list[tuple[str, str, int]] = [
    ("acme", "Ada", 1),
    ("globex", "Grace", 2),
    ("acme", "Alan", 3),
    ("acme", "Anita", 3),  # as old as Alan: then the id decides
    ("globex", "Gordon", 9),
]
STORED_ORDER = [4, 2, 0, 3, 1]


def old_contact(tenant: str, name: str, minutes: int) -> Stored:
    """A contact as the API stored it before this migration: no owner, change number or change."""
    document = new_document(Scope(tenant), ContactWrite(name=name), seq=1)
    for field in ("owner", "seq", "change"):
        del document[field]
    at = START + timedelta(minutes=minutes)
    return document | {"created_at": at, "updated_at": at}


def created_order(documents: list[Stored], tenant: str) -> list[str]:
    mine = [document for document in documents if document["tenant"] == tenant]
    return [document["name"] for document in sorted(mine, key=lambda d: (d["created_at"], d["_id"]))]


@pytest.fixture
def old_contacts(mongo: Client, database: Database[Any]) -> list[Stored]:
    """A database as the code before this migration left it: contacts of two tenants, no counters, no index."""
    documents = [old_contact(*CONTACTS[index]) for index in STORED_ORDER]
    database.contacts.insert_many([dict(document) for document in documents])
    for index in NEW_INDEXES:  # declared by today's model, which the `mongo` fixture bound
        database.contacts.drop_index(index)
    return documents


async def migrate(mongo: Client, settings: Settings) -> list[str]:
    await repository.stamp(mongo[settings.mongodb_db], before(SLUG))
    return await upgrade(mongo, settings.mongodb_db, steps=1)


def numbers(database: Database[Any]) -> dict[str, tuple[str, int]]:
    """Each contact's owner and change number, by name (every contact has both once migrated)."""
    return {document["name"]: (document["owner"], document["seq"]) for document in database.contacts.find()}


def counters(database: Database[Any]) -> dict[str, Stored]:
    return {counter.pop("_id"): counter for counter in database.change_counters.find()}


def contacts(database: Database[Any]) -> dict[str, Stored]:
    return {document["_id"]: document for document in database.contacts.find()}


async def test_each_tenants_contacts_are_numbered_from_one_in_created_order(
    mongo: Client, settings: Settings, database: Database[Any], old_contacts: list[Stored]
) -> None:
    applied = await migrate(mongo, settings)

    assert applied == [migration(SLUG)]
    found = numbers(database)
    for tenant in ("acme", "globex"):
        names = created_order(old_contacts, tenant)
        assert [found[name] for name in names] == [(tenant, seq) for seq in range(1, len(names) + 1)]
    assert created_order(old_contacts, "acme")[0] == "Ada"
    assert {name: counter["seq"] for name, counter in counters(database).items()} == {"acme": 3, "globex": 2}
    for document in database.contacts.find():
        Contact.model_validate(document)
        assert "change" not in document  # what an old contact's last change was is not known


async def test_the_feed_import_and_trash_indexes_are_created(
    mongo: Client, settings: Settings, database: Database[Any], old_contacts: list[Stored]
) -> None:
    await migrate(mongo, settings)

    indexes = database.contacts.index_information()
    assert indexes[FEED_INDEX]["key"] == [("owner", 1), ("seq", 1)]
    assert indexes[IMPORT_INDEX]["key"] == [("tenant", 1), ("external_id", 1)]
    assert indexes[TRASH_INDEX]["key"] == [("tenant", 1), ("deleted_at", 1), ("_id", 1)]


async def test_a_rerun_changes_nothing(
    mongo: Client, settings: Settings, database: Database[Any], old_contacts: list[Stored]
) -> None:
    await migrate(mongo, settings)
    first = (contacts(database), counters(database))

    again = await migrate(mongo, settings)  # as if the run had stopped before Beanie logged it

    assert again == [migration(SLUG)]
    assert (contacts(database), counters(database)) == first


async def test_numbers_the_running_service_took_are_kept_and_never_given_again(
    mongo: Client, settings: Settings, database: Database[Any], old_contacts: list[Stored]
) -> None:
    made = await writes.insert(Scope("acme"), ContactWrite(name="New"))  # today's code, before the migration ran

    await migrate(mongo, settings)

    found = numbers(database)
    assert found["New"] == ("acme", 1)
    assert sorted(seq for owner, seq in found.values() if owner == "acme") == [1, 2, 3, 4]
    assert [found[name][1] for name in created_order(old_contacts, "acme")] == [2, 3, 4]
    assert counters(database)["acme"]["seq"] == 4
    assert await writes.insert(Scope("acme"), ContactWrite(name="Next")) != made
    assert numbers(database)["Next"] == ("acme", 5)


async def test_a_counter_behind_its_contacts_is_raised_to_their_highest_number(
    mongo: Client, settings: Settings, database: Database[Any], old_contacts: list[Stored]
) -> None:
    database.contacts.insert_one(new_document(Scope("globex"), ContactWrite(name="Numbered"), seq=7))  # no counter

    await migrate(mongo, settings)

    assert numbers(database)["Numbered"] == ("globex", 7)
    assert counters(database)["globex"]["seq"] == 7
    assert sorted(seq for owner, seq in numbers(database).values() if owner == "globex") == [1, 2, 7]


async def test_backward_deletes_the_trash_and_gives_the_live_contacts_their_old_shape(
    mongo: Client, settings: Settings, database: Database[Any], old_contacts: list[Stored]
) -> None:
    await migrate(mongo, settings)
    gordon = next(document for document in contacts(database).values() if document["name"] == "Gordon")
    assert await writes.trash(Scope("globex"), gordon) is not None

    rolled_back = await downgrade(mongo, settings.mongodb_db)

    assert rolled_back == [migration(SLUG)]
    assert contacts(database) == {
        document["_id"]: document for document in old_contacts if document["name"] != "Gordon"
    }
    assert not set(NEW_INDEXES) & set(database.contacts.index_information())
    assert (await status(mongo, settings.mongodb_db)).current == before(SLUG)


async def test_backward_expires_every_sync_token_and_forward_numbers_on_past_them(
    mongo: Client, settings: Settings, database: Database[Any], old_contacts: list[Stored]
) -> None:
    await migrate(mongo, settings)
    caught_up = SyncToken(seq=3, issued_at=int(datetime.now(UTC).timestamp()))  # a client that had all of acme's
    check_fresh(caught_up, counters(database)["acme"].get("purged_through", 0), settings.sync_token_ttl)

    await downgrade(mongo, settings.mongodb_db)
    await migrate(mongo, settings)

    acme = counters(database)["acme"]
    with pytest.raises(SyncTokenExpired):
        check_fresh(caught_up, acme["purged_through"], settings.sync_token_ttl)
    check_fresh(SyncToken(seq=0, issued_at=caught_up.issued_at), acme["purged_through"], settings.sync_token_ttl)
    found = numbers(database)
    assert [found[name] for name in created_order(old_contacts, "acme")] == [("acme", 4), ("acme", 5), ("acme", 6)]
    assert acme["seq"] == 6
    assert [found[name] for name in created_order(old_contacts, "globex")] == [("globex", 3), ("globex", 4)]
    for document in database.contacts.find():
        Contact.model_validate(document)
