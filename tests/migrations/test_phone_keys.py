"""Contacts get the `phone_keys` the API derives, and its index replaces `(tenant, phones.value)`; and back."""

from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.database import Database

from api.contacts.repository import new_document
from api.contacts.schemas import ContactWrite
from api.migrations import repository
from api.migrations.service import downgrade, status, upgrade
from api.scope import Scope
from api.settings import Settings
from models.contact import Contact, derived_keys
from tests.migrations.conftest import before, migration

Client = AsyncMongoClient[dict[str, Any]]
Stored = dict[str, Any]
SLUG = "phone_keys"
PHONE_KEYS = "tenant_1_phone_keys_1"
PHONES_VALUE = "tenant_1_phones.value_1"
CONTACTS: list[tuple[str, Stored]] = [
    ("acme", {"name": "Ada", "phones": [{"value": "+1 415 555 0123"}, {"value": "+44 20 7946 0958"}]}),
    ("acme", {"name": "Twice", "phones": [{"value": "(415) 555-0123", "primary": True}, {"value": "+14155550123"}]}),
    ("acme", {"name": "No phone"}),
    ("globex", {"name": "Grace", "phones": [{"value": "+44 20 7946 0958", "label": "office"}]}),
]


def old_contact(tenant: str, fields: Stored) -> Stored:
    """A contact as the API stored it before this migration: no `phone_keys` (nor a later migration's fields)."""
    document = new_document(Scope(tenant), ContactWrite.model_validate(fields), seq=1)
    for field in ("phone_keys", "owner", "seq", "change"):
        del document[field]
    return document


def expected_keys(fields: Stored) -> list[str]:
    return derived_keys(ContactWrite.model_validate(fields))["phone_keys"]


def indexes(database: Database[Any]) -> set[str]:
    return set(database.contacts.index_information())


@pytest.fixture
def old_contacts(mongo: Client, database: Database[Any]) -> list[Stored]:
    """A database as the code before this migration left it: old contacts, and its `(tenant, phones.value)` index."""
    documents = [old_contact(tenant, fields) for tenant, fields in CONTACTS]
    database.contacts.insert_many([dict(document) for document in documents])
    database.contacts.create_index([("tenant", 1), ("phones.value", 1)])
    database.contacts.drop_index(PHONE_KEYS)  # declared by today's model, which the `mongo` fixture bound
    return documents


async def migrate(mongo: Client, settings: Settings, steps: int = 1) -> list[str]:
    """Apply this migration (and `steps - 1` after it; 0: every one after it) to a database right before it."""
    await repository.stamp(mongo[settings.mongodb_db], before(SLUG))
    return await upgrade(mongo, settings.mongodb_db, steps=steps)


def keys_by_name(database: Database[Any]) -> dict[str, list[str] | None]:
    return {document["name"]: document.get("phone_keys") for document in database.contacts.find()}


async def test_every_contact_gets_the_phone_keys_the_api_derives(
    mongo: Client, settings: Settings, database: Database[Any], old_contacts: list[Stored]
) -> None:
    applied = await migrate(mongo, settings, steps=0)  # this one and every later one: today's shape

    assert applied[0] == migration(SLUG)
    assert keys_by_name(database) == {fields["name"]: expected_keys(fields) for _, fields in CONTACTS}
    assert keys_by_name(database)["Twice"] == ["+14155550123"]
    for document in database.contacts.find():
        Contact.model_validate(document)


async def test_the_phone_keys_index_replaces_the_phones_value_index(
    mongo: Client, settings: Settings, database: Database[Any], old_contacts: list[Stored]
) -> None:
    assert PHONES_VALUE in indexes(database)

    await migrate(mongo, settings)

    assert PHONE_KEYS in indexes(database)
    assert PHONES_VALUE not in indexes(database)
    assert database.contacts.index_information()[PHONE_KEYS]["key"] == [("tenant", 1), ("phone_keys", 1)]


async def test_backward_removes_the_keys_and_brings_the_old_index_back(
    mongo: Client, settings: Settings, database: Database[Any], old_contacts: list[Stored]
) -> None:
    await migrate(mongo, settings)

    rolled_back = await downgrade(mongo, settings.mongodb_db)

    assert rolled_back == [migration(SLUG)]
    assert {document["_id"]: document for document in database.contacts.find()} == {
        document["_id"]: document for document in old_contacts
    }
    assert PHONES_VALUE in indexes(database)
    assert PHONE_KEYS not in indexes(database)
    assert (await status(mongo, settings.mongodb_db)).current == before(SLUG)


async def test_an_interrupted_or_repeated_run_finishes_the_backfill_and_keeps_what_new_writes_set(
    mongo: Client, settings: Settings, database: Database[Any], old_contacts: list[Stored]
) -> None:
    # Stopped half-way, with the new code writing meanwhile: some contacts have their keys already.
    database.contacts.update_one({"name": "Ada"}, {"$set": {"phone_keys": ["+14155550123", "+442079460958"]}})
    database.contacts.update_one({"name": "Grace"}, {"$set": {"phone_keys": ["+15555550100"]}})  # a later write

    await migrate(mongo, settings)
    first = keys_by_name(database)
    await migrate(mongo, settings)

    assert first == keys_by_name(database)
    assert first["Grace"] == ["+15555550100"]
    assert first["Twice"] == ["+14155550123"]
    assert first["No phone"] == []
    assert PHONES_VALUE not in indexes(database)
