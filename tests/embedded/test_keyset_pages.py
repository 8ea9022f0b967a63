"""Keyset pages are identical with and without the mongoeco patches, and the patched ones need no sort.

The queries have the API's shapes (`api/services/listing.py`): a tenant equality, then `$and` of the
keyset condition `{"$or": [{key: {beyond: value}}, {key: value, "_id": {beyond: last_id}}]}`, sorted by
`(key, _id)` in one direction.
"""

import datetime as dt
import itertools
import random
from typing import Any

import pytest
from bson import Decimal128, Int64, ObjectId
from pymongo import ASCENDING
from pymongo.collection import Collection

from embedded.patches import ACCELERATOR_PREFIX
from tests.embedded.conftest import Client, load_on_both

pytestmark = pytest.mark.slow

type Contacts = Collection[dict[str, Any]]
type Sort = list[tuple[str, int]]

INDEXES = [
    [("tenant", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
    [("tenant", ASCENDING), ("name_key", ASCENDING), ("_id", ASCENDING)],
]
NAMES = ["ana", "ana", "bob", "zoë", "émile", "ñu", "o'brien", "李", "a", ""]
BASE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
PAGE = 25
TENANTS = ("t0", "t1")


def contact(rng: random.Random, number: int) -> dict[str, Any]:
    """An API-shaped contact with many ties in name_key and created_at."""
    created = BASE + dt.timedelta(seconds=rng.randrange(60), milliseconds=rng.randrange(2) * 500)
    return {
        "_id": f"{0x65000000 + number // 4:08x}{rng.getrandbits(64):016x}",
        "tenant": TENANTS[rng.randrange(2)],
        "name_key": f"{rng.choice(NAMES)} {rng.randrange(8)}",
        "created_at": created,
        "updated_at": created + dt.timedelta(seconds=rng.randrange(30)),
        "version": 1,
        "tags": rng.sample(["vip", "lead", "work"], k=rng.randrange(3)),
    }


def mixed_dataset() -> list[dict[str, Any]]:
    """API-shaped contacts in two tenants, a third tenant mixing them with odd types, and odd `_id`s."""
    rng = random.Random(20240101)
    documents = [contact(rng, number) for number in range(240)]
    documents += [contact(rng, 1000 + number) | {"tenant": "t-odd"} for number in range(20)]
    odd_values: list[object] = [None, 5, 2.5, True, {"first": "x"}, ObjectId(), Int64(7), "2024-01-01"]
    for number, value in enumerate(odd_values):
        documents.append(contact(rng, 2000 + number) | {"tenant": "t-odd", "name_key": value, "created_at": value})
    missing = [contact(rng, 3000 + number) | {"tenant": "t-odd"} for number in range(2)]
    del missing[0]["name_key"], missing[1]["created_at"]
    documents += missing
    for number, odd_id in enumerate([1, 2.5, ObjectId("65000000bbbbbbbbbbbbbbbb"), "", "zzz", "ÿ"]):
        documents.append(contact(rng, 4000 + number) | {"_id": odd_id})
    rng.shuffle(documents)
    return documents


@pytest.fixture(scope="module")
def contacts(patched: Client, stock: Client) -> dict[str, Contacts]:
    """The same mixed dataset and indexes on the patched and on the stock server."""
    return load_on_both(patched, stock, ("keyset", "contacts"), INDEXES, mixed_dataset())


def keyset_filter(tenant: str | None, key: str, last: dict[str, Any] | None, direction: int) -> dict[str, Any]:
    where: dict[str, Any] = {} if tenant is None else {"tenant": tenant}
    if last is None:
        return where
    beyond = "$gt" if direction == 1 else "$lt"
    if key == "_id":
        return where | {"_id": {beyond: last["_id"]}}
    return where | {
        "$and": [{"$or": [{key: {beyond: last.get(key)}}, {key: last.get(key), "_id": {beyond: last["_id"]}}]}]
    }


def sort_of(key: str, direction: int) -> Sort:
    return [("_id", direction)] if key == "_id" else [(key, direction), ("_id", direction)]


def walk(collection: Contacts, tenant: str | None, key: str, direction: int) -> list[list[Any]]:
    """The pages of a keyset walk, as lists of `_id`s: until an empty page, or 15 pages.

    Stock mongoeco does not bracket comparisons by type, so over mixed types a walk can revisit documents.
    """
    pages: list[list[Any]] = []
    last: dict[str, Any] | None = None
    while len(pages) < 15:
        query = collection.find(keyset_filter(tenant, key, last, direction)).sort(sort_of(key, direction))
        page = list(query.limit(PAGE))
        if not page:
            break
        pages.append([document["_id"] for document in page])
        last = page[-1]
    return pages


WALKS = [
    pytest.param(None, "_id", 1, id="_id ascending"),
    pytest.param(None, "_id", -1, id="_id descending"),
    *(
        pytest.param(
            tenant, key, direction, id=f"{tenant} ({key}, _id) {'ascending' if direction == 1 else 'descending'}"
        )
        for tenant in (*TENANTS, "t-odd")
        for key in ("name_key", "created_at")
        for direction in (1, -1)
    ),
]


@pytest.mark.parametrize(("tenant", "key", "direction"), WALKS)
def test_keyset_walks_return_the_same_pages_with_and_without_the_patch(
    contacts: dict[str, Contacts], tenant: str | None, key: str, direction: int
) -> None:
    pages = walk(contacts["patched"], tenant, key, direction)
    assert pages == walk(contacts["stock"], tenant, key, direction)
    if tenant != "t-odd":  # with arrays and mixed types in the sort key, a walk need not visit each document once
        seen = [document_id for page in pages for document_id in page]
        expected = contacts["stock"].count_documents({} if tenant is None else {"tenant": tenant})
        assert len(seen) == len(set(map(repr, seen))) == expected


def plan_details(collection: Contacts, where: dict[str, Any], sort: Sort) -> str:
    explained = collection.find(where).sort(sort).limit(PAGE).explain()
    return " | ".join(explained["details"]["engine_details"])


@pytest.mark.parametrize(("tenant", "key", "direction"), [shape for shape in WALKS if "t-odd" not in str(shape.id)])
def test_patched_keyset_pages_seek_an_index_and_never_sort(
    contacts: dict[str, Contacts], tenant: str | None, key: str, direction: int
) -> None:
    documents = list(contacts["patched"].find({} if tenant is None else {"tenant": tenant}).sort(sort_of(key, 1)))
    sort = sort_of(key, direction)
    for last in (None, documents[len(documents) // 2]):
        where = keyset_filter(tenant, key, last, direction)
        patched = plan_details(contacts["patched"], where, sort)
        assert "TEMP B-TREE" not in patched
        assert f"SEARCH documents USING INDEX {ACCELERATOR_PREFIX}" in patched
    assert "TEMP B-TREE" in plan_details(contacts["stock"], where, sort)  # what the patch is for


def test_pages_stay_identical_after_writes_that_change_the_type_of_a_sort_key(patched: Client, stock: Client) -> None:
    rng = random.Random(7)
    documents = [contact(rng, number) | {"tenant": "t0"} for number in range(80)]
    both: list[Contacts] = []
    for client in (patched, stock):
        collection = client.keyset.retyped
        collection.drop()
        for keys in [*INDEXES, [("name_key", ASCENDING), ("_id", ASCENDING)]]:  # name_key leads one: probes seek
            collection.create_index(keys)
        collection.insert_many([dict(document) for document in documents])
        both.append(collection)
    target = documents[40]["_id"]
    for version, value in enumerate([["zz", "aa"], 42, Decimal128("1.5"), None, "ana 3"], start=1):
        stale = [
            collection.update_one({"_id": target, "version": version + 1}, {"$set": {"x": 1}}) for collection in both
        ]
        assert [result.matched_count for result in stale] == [0, 0]
        change = {"$set": {"name_key": value}, "$inc": {"version": 1}}
        results = [collection.update_one({"_id": target, "version": version}, change) for collection in both]
        assert [result.modified_count for result in results] == [1, 1]
        for tenant, direction in itertools.product(("t0", None), (1, -1)):
            assert walk(both[0], tenant, "name_key", direction) == walk(both[1], tenant, "name_key", direction), value
