"""The contacts repository against the real database: typed records, one scope, conditional writes."""

from typing import Any

import httpx
import pytest
from pymongo.database import Database

from api.contacts import repository, writes
from api.contacts.listing import OUTPUT_FIELDS, ContactQuery
from api.contacts.schemas import ContactWrite
from api.scope import Scope
from models.contact import HIDDEN_FIELDS, Contact
from tests.factories import contact_payload, create_contact

pytestmark = pytest.mark.usefixtures("bound_models")
OURS, THEIRS = Scope("ours"), Scope("theirs")


def contact(**overrides: Any) -> ContactWrite:
    return ContactWrite.model_validate(contact_payload(**overrides))


async def test_a_record_is_the_api_contact_and_a_view_has_nothing_stored_only() -> None:
    created = await writes.insert(OURS, contact(name="Ada"))

    fetched = await repository.get(OURS, created.id)
    page = await repository.find_page(OURS, ContactQuery())

    assert fetched == created
    assert (created.name, created.nickname, created.tags, created.version) == ("Ada", None, [], 1)
    assert [view["id"] for view in page.records] == [created.id]
    assert tuple(page.records[0]) == OUTPUT_FIELDS
    assert not set(page.records[0]) & {"_id", *HIDDEN_FIELDS}


async def test_another_scope_sees_and_changes_nothing() -> None:
    created = await writes.insert(OURS, contact())
    contact_id = created.id

    stored = await repository.find_document(OURS, contact_id)
    assert stored is not None

    assert await repository.get(THEIRS, contact_id) is None
    assert await repository.find_document(THEIRS, contact_id) is None
    assert await repository.find_owned(THEIRS, contact_id) is None
    assert await repository.find_documents(THEIRS, [contact_id]) == []
    assert await writes.replace(THEIRS, stored, contact(name="Mallory")) is None
    assert await writes.trash(THEIRS, stored) is None
    assert await repository.find_changed(THEIRS, 0, 10) == []
    assert (await repository.find_page(THEIRS, ContactQuery())).records == []
    assert await repository.get(OURS, contact_id) == created


async def test_replace_and_trash_apply_only_to_the_version_read() -> None:
    created = await writes.insert(OURS, contact())
    read = await repository.find_document(OURS, created.id)
    assert read is not None

    replaced = await writes.replace(OURS, read, contact(name="Fresh", company=None))
    stale_replace = await writes.replace(OURS, read, contact(name="Stale"))
    stale_trash = await writes.trash(OURS, read)
    current = await repository.find_document(OURS, created.id)
    assert current is not None
    trashed = await writes.trash(OURS, current)

    assert replaced is not None
    assert (replaced.name, replaced.company, replaced.version) == ("Fresh", None, 2)
    assert stale_replace is None
    assert stale_trash is None
    assert trashed is not None
    assert await repository.get(OURS, created.id) is None
    assert (await repository.find_owned(OURS, created.id) or {}).get("deleted_at") == trashed


async def test_every_write_keeps_the_phone_keys_in_step_with_the_phones(database: Database[Any]) -> None:
    created = await writes.insert(OURS, contact(phones=[{"value": "+44 20 7946 0958"}, {"value": "(415) 555-0123"}]))
    inserted = database.contacts.find_one({"_id": created.id})
    assert inserted is not None
    await writes.replace(OURS, inserted, contact(phones=[{"value": "+1 415 555 0100"}]))
    replaced = database.contacts.find_one({"_id": created.id})
    assert replaced is not None
    await writes.replace(OURS, replaced, contact())
    cleared = database.contacts.find_one({"_id": created.id})

    assert inserted is not None
    assert replaced is not None
    assert cleared is not None
    assert inserted["phone_keys"] == ["+14155550123", "+442079460958"]
    assert replaced["phone_keys"] == ["+14155550100"]
    assert cleared["phone_keys"] == []


async def test_a_write_never_changes_the_extension_field(database: Database[Any]) -> None:
    created = await writes.insert(OURS, contact(name="Migrated"))
    database.contacts.update_one({"_id": created.id}, {"$set": {"extra": {"twitter": "@ada"}}})
    stored = await repository.find_document(OURS, created.id)
    assert stored is not None

    replaced = await writes.replace(OURS, stored, contact(name="Changed"))
    listed = await repository.find_page(OURS, ContactQuery())

    assert replaced is not None
    assert database.contacts.find_one({"_id": created.id}, {"extra": 1}) == {
        "_id": created.id,
        "extra": {"twitter": "@ada"},
    }
    assert "extra" not in listed.records[0]


async def test_malformed_ids_match_nothing() -> None:
    assert await repository.get(OURS, "not-an-id") is None
    assert await repository.find_document(OURS, {"$ne": None}) is None  # type: ignore[arg-type]
    assert await repository.find_owned(OURS, "0" * 23) is None
    assert await repository.find_documents(OURS, [{"$ne": None}, "junk"]) == []  # type: ignore[list-item]


async def test_insert_many_returns_the_ids_in_order_and_trash_many_the_ones_it_trashed() -> None:
    ids = await writes.insert_many(OURS, [contact(name="One"), contact(name="Two")])

    deleted = await writes.trash_many(OURS, await repository.find_documents(OURS, [ids[1], "0" * 24, "junk"]))

    kept = await repository.get(OURS, ids[0])
    assert kept is not None
    assert kept.name == "One"
    assert deleted == {ids[1]}


async def test_a_page_projects_the_selected_fields_and_says_where_the_next_starts() -> None:
    ids = await writes.insert_many(OURS, [contact(name=f"P{number}") for number in range(3)])

    first = await repository.find_page(OURS, ContactQuery(limit=2, sort="name", fields=("id", "name")))
    second = await repository.find_page(OURS, ContactQuery(limit=2, sort="name", after=first.next_after))

    assert first.records == [{"id": ids[0], "name": "P0"}, {"id": ids[1], "name": "P1"}]
    assert first.next_after == ("p1", ids[1])
    assert [record["id"] for record in second.records] == [ids[2]]
    assert second.next_after is None


async def test_stored_documents_match_the_beanie_model(client: httpx.AsyncClient, database: Database[Any]) -> None:
    await client.post("/contacts/bulk", json=[contact_payload(phones=[{"value": "+1 415 555 0100"}])])
    await create_contact(client, tags=["x"], addresses=[{"city": "Paris", "country": "FR"}], birthday="1815-12-10")

    documents = list(database.contacts.find())

    assert len(documents) == 2
    for document in documents:
        Contact.model_validate(document)
