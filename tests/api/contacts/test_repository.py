"""The contacts repository against the real database: typed records, one scope, conditional writes."""

from typing import Any

import httpx
import pytest
from pymongo.database import Database

from api.contacts import repository
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
    created = await repository.insert(OURS, contact(name="Ada"))

    fetched = await repository.get(OURS, created.id)
    page = await repository.find_page(OURS, ContactQuery())

    assert fetched == created
    assert (created.name, created.nickname, created.tags, created.version) == ("Ada", None, [], 1)
    assert [view["id"] for view in page.records] == [created.id]
    assert tuple(page.records[0]) == OUTPUT_FIELDS
    assert not set(page.records[0]) & {"_id", *HIDDEN_FIELDS}


async def test_another_scope_sees_and_changes_nothing() -> None:
    created = await repository.insert(OURS, contact())
    contact_id = created.id

    assert await repository.get(THEIRS, contact_id) is None
    assert await repository.replace(THEIRS, contact_id, contact(name="Mallory"), None) is None
    assert await repository.delete(THEIRS, contact_id, None) is False
    assert await repository.delete_many(THEIRS, [contact_id]) == set()
    assert (await repository.find_page(THEIRS, ContactQuery())).records == []
    assert await repository.get(OURS, contact_id) == created


async def test_replace_and_delete_match_only_the_listed_versions() -> None:
    created = await repository.insert(OURS, contact())

    stale = await repository.replace(OURS, created.id, contact(name="Stale"), {2, 3})
    replaced = await repository.replace(OURS, created.id, contact(name="Fresh", company=None), {1})
    kept = await repository.delete(OURS, created.id, {1})

    assert stale is None
    assert replaced is not None
    assert (replaced.name, replaced.company, replaced.version) == ("Fresh", None, 2)
    assert kept is False
    assert await repository.delete(OURS, created.id, None) is True


async def test_every_write_keeps_the_phone_keys_in_step_with_the_phones(database: Database[Any]) -> None:
    created = await repository.insert(
        OURS, contact(phones=[{"value": "+44 20 7946 0958"}, {"value": "(415) 555-0123"}])
    )
    inserted = database.contacts.find_one({"_id": created.id})
    await repository.replace(OURS, created.id, contact(phones=[{"value": "+1 415 555 0100"}]), None)
    replaced = database.contacts.find_one({"_id": created.id})
    await repository.replace(OURS, created.id, contact(), None)
    cleared = database.contacts.find_one({"_id": created.id})

    assert inserted is not None
    assert replaced is not None
    assert cleared is not None
    assert inserted["phone_keys"] == ["+14155550123", "+442079460958"]
    assert replaced["phone_keys"] == ["+14155550100"]
    assert cleared["phone_keys"] == []


async def test_a_write_never_changes_the_extension_field(database: Database[Any]) -> None:
    created = await repository.insert(OURS, contact(name="Migrated"))
    database.contacts.update_one({"_id": created.id}, {"$set": {"extra": {"twitter": "@ada"}}})

    replaced = await repository.replace(OURS, created.id, contact(name="Changed"), None)
    listed = await repository.find_page(OURS, ContactQuery())

    assert replaced is not None
    assert database.contacts.find_one({"_id": created.id}, {"extra": 1}) == {
        "_id": created.id,
        "extra": {"twitter": "@ada"},
    }
    assert "extra" not in listed.records[0]


async def test_malformed_ids_match_nothing() -> None:
    assert await repository.get(OURS, "not-an-id") is None
    assert await repository.replace(OURS, {"$ne": None}, contact(), None) is None  # type: ignore[arg-type]
    assert await repository.delete(OURS, "0" * 23, None) is False


async def test_insert_many_returns_the_ids_in_order_and_delete_many_the_ones_that_existed() -> None:
    ids = await repository.insert_many(OURS, [contact(name="One"), contact(name="Two")])

    deleted = await repository.delete_many(OURS, [ids[1], "0" * 24, "junk"])

    kept = await repository.get(OURS, ids[0])
    assert kept is not None
    assert kept.name == "One"
    assert deleted == {ids[1]}


async def test_a_page_projects_the_selected_fields_and_says_where_the_next_starts() -> None:
    ids = await repository.insert_many(OURS, [contact(name=f"P{number}") for number in range(3)])

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
