"""The seed service's documents become contacts, and go back; nothing is lost, reruns change nothing.

The fixtures are written with the raw driver, as the seed service wrote them: ObjectId ids, any fields.
"""

from typing import Any

import httpx
import pytest
from bson import ObjectId
from pymongo import AsyncMongoClient
from pymongo.database import Database

from api.contacts import repository as contacts
from api.contacts import writes
from api.contacts.repository import new_document
from api.contacts.schemas import ContactWrite
from api.migrations import repository
from api.migrations.service import downgrade, upgrade
from api.scope import DEFAULT_TENANT, Scope
from api.seed.schemas import SeedCreate
from api.settings import Settings
from models.contact import Contact, stored_fields
from tests.live_server import LiveServer
from tests.migrations.conftest import before, migration, module

Client = AsyncMongoClient[dict[str, Any]]
Stored = dict[str, Any]
SLUG = "seed_documents_to_contacts"


def seed(**fields: Any) -> Stored:
    """A document as the seed service stored it: an ObjectId and the JSON it was sent."""
    return {"_id": ObjectId(), **fields}


MASNUN = seed(name="masnun", email="Masnun@Example.COM")
ADA = seed(
    name="Ada Lovelace",
    email="ada@example.com",
    phone="(415) 555-0123",
    company="Analytical Engines",
    job_title="Analyst",
    notes="The first programmer.",
    tags=["vip", "math"],
)
BOB = seed(name="Bob", email="not-an-email", phone="12", twitter="@bob", address={"city": "Paris", "zip": [7, 5]})
CAROL = seed(name="Carol", company=42, tags="friends", notes=None, nickname="")
DAN = seed(name="Dan", tenant="acme", version=9, created_at="yesterday", extra="x", name_key="zzz", emails=["d@x.io"])
CONVERTIBLE = [MASNUN, ADA, BOB, CAROL, DAN]
NAMELESS = [
    seed(email="nobody@example.com"),
    seed(name="   "),
    seed(name=7),
    seed(name="x" * 201),
    seed(name="Nul\x00Name"),
    {"_id": "my-own-id", "name": "An id the client chose"},
]


def as_stored(document: Stored, extra: Stored, **sent: Any) -> Stored:
    """What the API stores today for the contact `sent` to the seed's POST /new, with the document's id and time."""
    created = document["_id"].generation_time
    fields = stored_fields(SeedCreate.model_validate(sent).to_contact())
    return {"_id": str(document["_id"]), "tenant": DEFAULT_TENANT, **fields} | {
        "created_at": created,
        "updated_at": created,
        "version": 1,
        "extra": extra,
        "owner": DEFAULT_TENANT,  # and a `seq`, its place in the change feed (a later migration's)
    }


def api_made(name: str) -> Stored:
    """A contact the API stored before this migration (no `phone_keys` yet, nor the change feed's fields)."""
    document = new_document(Scope(DEFAULT_TENANT), ContactWrite(name=name, phones=[{"value": "+442079460958"}]), seq=1)
    for field in ("phone_keys", "owner", "seq", "change"):
        del document[field]
    return document


def by_id(documents: list[Stored]) -> dict[Any, Stored]:
    return {document["_id"]: document for document in documents}


def stored(database: Database[Any], collection: str = "contacts") -> dict[Any, Stored]:
    return by_id(list(database[collection].find()))


@pytest.fixture
def seeded(database: Database[Any]) -> list[Stored]:
    """The seed's documents, and one contact the API made, in the contacts collection; returns them."""
    documents = [*CONVERTIBLE, *NAMELESS, api_made("Grace Hopper")]
    database.contacts.insert_many([dict(document) for document in documents])
    return documents


async def migrate(mongo: Client, settings: Settings, steps: int = 1) -> list[str]:
    """Apply this migration (and `steps - 1` after it; 0: every one after it) to a database right before it."""
    await repository.stamp(mongo[settings.mongodb_db], before(SLUG))
    return await upgrade(mongo, settings.mongodb_db, steps=steps)


async def test_seed_documents_become_the_contacts_the_api_stores_for_them(
    mongo: Client, settings: Settings, database: Database[Any], seeded: list[Stored]
) -> None:
    applied = await migrate(mongo, settings, steps=0)  # this one and every later one: today's shape

    found = stored(database)
    places = sorted(document.pop("seq") for document in found.values())
    assert applied[0] == migration(SLUG)
    assert places == list(range(1, len(found) + 1))  # each contact has its own place in the tenant's change feed
    assert found[str(MASNUN["_id"])] == as_stored(MASNUN, {}, name="masnun", email="Masnun@Example.COM")
    assert found[str(ADA["_id"])] == as_stored(ADA, {}, **{k: v for k, v in ADA.items() if k != "_id"})
    assert found[str(ADA["_id"])]["phones"] == [
        {"value": "+14155550123", "primary": True, "original": "(415) 555-0123"}
    ]
    for document in stored(database).values():
        Contact.model_validate(document)


async def test_the_derived_keys_are_those_the_api_computed_at_the_time(
    mongo: Client, settings: Settings, database: Database[Any], seeded: list[Stored]
) -> None:
    await migrate(mongo, settings, steps=1)

    expected = as_stored(ADA, {}, **{k: v for k, v in ADA.items() if k != "_id"})
    del expected["phone_keys"], expected["owner"]  # later migrations' keys
    assert stored(database)[str(ADA["_id"])] == expected


async def test_fields_a_contact_cannot_take_are_kept_verbatim_under_extra(
    mongo: Client, settings: Settings, database: Database[Any], seeded: list[Stored]
) -> None:
    await migrate(mongo, settings)

    found = stored(database)
    bob, carol, dan = (found[str(document["_id"])] for document in (BOB, CAROL, DAN))
    assert bob["extra"] == {"email": "not-an-email", "phone": "12", "twitter": "@bob", "address": BOB["address"]}
    assert (bob["emails"], bob["phones"], bob["search_terms"]) == ([], [], ["bob"])
    assert carol["extra"] == {"company": 42, "tags": "friends", "notes": None, "nickname": ""}
    assert "company" not in carol
    assert carol["tags"] == []
    assert dan["extra"] == {k: v for k, v in DAN.items() if k not in ("_id", "name")}
    assert (dan["tenant"], dan["version"], dan["name_key"]) == (DEFAULT_TENANT, 1, "dan")
    assert all(found[str(document["_id"])]["extra"] == {} for document in (MASNUN, ADA))


async def test_documents_that_cannot_be_contacts_move_unchanged_to_contacts_unmigrated(
    mongo: Client, settings: Settings, database: Database[Any], seeded: list[Stored]
) -> None:
    await migrate(mongo, settings)

    assert stored(database, "contacts_unmigrated") == by_id(NAMELESS)
    assert not set(stored(database)) & {document["_id"] for document in NAMELESS}


async def test_contacts_the_api_made_are_left_as_they_were(
    mongo: Client, settings: Settings, database: Database[Any], seeded: list[Stored]
) -> None:
    made = seeded[-1]

    await migrate(mongo, settings)

    assert stored(database)[made["_id"]] == made
    assert database.contacts.count_documents({}) == len(CONVERTIBLE) + 1
    assert database.contacts.count_documents({"_id": {"$type": "objectId"}}) == 0


async def test_the_api_serves_the_migrated_contacts(
    mongo: Client, settings: Settings, database: Database[Any], seeded: list[Stored]
) -> None:
    await migrate(mongo, settings, steps=0)
    ada = str(ADA["_id"])

    with LiveServer(settings).running() as url:
        async with httpx.AsyncClient(base_url=url) as http:
            got = await http.get(f"/contacts/{ada}")
            by_phone = (await http.get("/contacts", params={"phone": "+1 415 555 0123"})).json()["items"]
            by_email = (await http.get("/contacts", params={"email": "MASNUN@example.com"})).json()["items"]
            seed_list = (await http.get("/")).json()

    assert got.status_code == 200
    assert got.headers["etag"] == '"1"'
    assert [(email["value"], email["primary"]) for email in got.json()["emails"]] == [("ada@example.com", True)]
    assert "extra" not in got.json()
    assert [item["id"] for item in by_phone] == [ada]
    assert [item["id"] for item in by_email] == [str(MASNUN["_id"])]
    assert {"id": str(MASNUN["_id"]), "name": "masnun", "email": "Masnun@example.com"} in seed_list


async def test_backward_gives_the_seed_its_documents_back(
    mongo: Client, settings: Settings, database: Database[Any], seeded: list[Stored]
) -> None:
    await migrate(mongo, settings)

    rolled_back = await downgrade(mongo, settings.mongodb_db)

    assert rolled_back == [migration(SLUG)]
    assert stored(database) == by_id(seeded)
    assert stored(database, "contacts_unmigrated") == {}


async def test_backward_keeps_what_the_api_changed_since(
    mongo: Client, settings: Settings, database: Database[Any], seeded: list[Stored]
) -> None:
    applied = await migrate(mongo, settings, steps=0)  # today's code changes contacts of today's shape
    scope = Scope(DEFAULT_TENANT)
    change = ContactWrite.model_validate({"name": "Robert", "emails": [{"value": "bob@example.com", "label": "work"}]})
    bob = await contacts.find_document(scope, str(BOB["_id"]))
    assert bob is not None
    assert await writes.replace(scope, bob, change) is not None

    await downgrade(mongo, settings.mongodb_db, steps=len(applied))

    assert stored(database)[BOB["_id"]] == {
        "_id": BOB["_id"],
        "name": "Robert",
        "emails": [{"value": "bob@example.com", "label": "work", "primary": False}],
        "email": "not-an-email",  # from `extra`: nothing the seed wrote is lost
        "phone": "12",
        "twitter": "@bob",
        "address": BOB["address"],
    }


async def test_a_rerun_changes_nothing(
    mongo: Client, settings: Settings, database: Database[Any], seeded: list[Stored]
) -> None:
    await migrate(mongo, settings)
    first = (stored(database), stored(database, "contacts_unmigrated"))

    again = await migrate(mongo, settings)  # as if the run had stopped before Beanie logged it

    assert again == [migration(SLUG)]
    assert (stored(database), stored(database, "contacts_unmigrated")) == first


async def test_an_interrupted_run_finishes_without_duplicates_or_overwriting_later_changes(
    mongo: Client, settings: Settings, database: Database[Any], seeded: list[Stored]
) -> None:
    # Stopped between writing a batch and deleting its originals: some are in both places.
    convert = module(SLUG).to_contact
    database.contacts.insert_one(convert(MASNUN))
    edited = convert(ADA) | {"name": "Ada King", "version": 2}  # and the API changed it since
    database.contacts.insert_one(edited)
    database.contacts_unmigrated.insert_one(NAMELESS[0])

    await migrate(mongo, settings)

    found = stored(database)
    assert found[str(MASNUN["_id"])] == convert(MASNUN)
    assert found[str(ADA["_id"])] == edited
    assert database.contacts.count_documents({}) == len(CONVERTIBLE) + 1
    assert stored(database, "contacts_unmigrated") == by_id(NAMELESS)


async def test_an_interrupted_rollback_finishes_without_duplicates(
    mongo: Client, settings: Settings, database: Database[Any], seeded: list[Stored]
) -> None:
    await migrate(mongo, settings)
    restore = module(SLUG).to_seed
    database.contacts.insert_one(restore(stored(database)[str(ADA["_id"])]))
    database.contacts.insert_one(NAMELESS[1])

    await downgrade(mongo, settings.mongodb_db)

    assert stored(database) == by_id(seeded)
    assert stored(database, "contacts_unmigrated") == {}


@pytest.mark.slow
async def test_many_documents_are_moved_batch_by_batch(
    mongo: Client, settings: Settings, database: Database[Any]
) -> None:
    documents = [seed(name=f"Person {n}") if n % 100 else seed(email=f"p{n}@example.com") for n in range(1234)]
    database.contacts.insert_many(documents)

    await migrate(mongo, settings)

    assert database.contacts.count_documents({"tenant": DEFAULT_TENANT}) == 1234 - 13
    assert database.contacts_unmigrated.count_documents({}) == 13
    assert database.contacts.count_documents({"_id": {"$type": "objectId"}}) == 0
