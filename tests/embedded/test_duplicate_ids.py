"""Duplicate `_id`s are still rejected by the patched embedded database, over the wire, as stock mongoeco does."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from bson import Decimal128, Int64, ObjectId
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from embedded import EmbeddedDatabase
from tests.embedded.conftest import Client

pytestmark = pytest.mark.slow

DUPLICATE_KEY = 11000


def contact_id(number: int) -> str:
    return f"{0x65000000 + number:08x}{number:016x}"


def fresh(client: Client, name: str) -> Collection[dict[str, Any]]:
    collection = client.duplicates[name]
    collection.drop()
    return collection


def test_insert_one_rejects_an_existing_string_id(patched: Client) -> None:
    contacts = fresh(patched, "insert_one")
    contacts.insert_many([{"_id": contact_id(n), "n": n} for n in range(300)])
    with pytest.raises(DuplicateKeyError) as raised:
        contacts.insert_one({"_id": contact_id(7), "n": -1})
    assert raised.value.code == DUPLICATE_KEY
    assert contacts.count_documents({}) == 300
    assert contacts.find_one({"_id": contact_id(7)}) == {"_id": contact_id(7), "n": 7}


def test_insert_one_rejects_an_existing_object_id(patched: Client) -> None:
    contacts = fresh(patched, "insert_one_object_id")
    ids = [ObjectId() for _ in range(300)]
    contacts.insert_many([{"_id": document_id, "n": n} for n, document_id in enumerate(ids)])
    with pytest.raises(DuplicateKeyError) as raised:
        contacts.insert_one({"_id": ObjectId(str(ids[7])), "n": -1})
    assert raised.value.code == DUPLICATE_KEY
    with pytest.raises(BulkWriteError) as bulk:
        contacts.insert_many([{"_id": ObjectId()}, {"_id": ids[9]}], ordered=False)
    assert [(error["index"], error["code"]) for error in bulk.value.details["writeErrors"]] == [(1, DUPLICATE_KEY)]
    assert contacts.count_documents({}) == 301
    assert contacts.find_one({"_id": ids[7]}) == {"_id": ids[7], "n": 7}


def test_insert_many_rejects_an_existing_string_id_and_stops_there(patched: Client) -> None:
    contacts = fresh(patched, "insert_many_existing")
    contacts.insert_many([{"_id": contact_id(n)} for n in range(50)])
    with pytest.raises(BulkWriteError) as raised:
        contacts.insert_many([{"_id": "new-1"}, {"_id": contact_id(9)}, {"_id": "new-2"}])
    assert [(error["index"], error["code"]) for error in raised.value.details["writeErrors"]] == [(1, DUPLICATE_KEY)]
    assert raised.value.details["nInserted"] == 1
    assert contacts.count_documents({}) == 51


def test_insert_many_rejects_a_string_id_repeated_within_the_batch(patched: Client) -> None:
    contacts = fresh(patched, "insert_many_within")
    with pytest.raises(BulkWriteError) as raised:
        contacts.insert_many([{"_id": "a", "n": 1}, {"_id": "b"}, {"_id": "a", "n": 2}])
    assert [(error["index"], error["code"]) for error in raised.value.details["writeErrors"]] == [(2, DUPLICATE_KEY)]
    assert contacts.find_one({"_id": "a"}) == {"_id": "a", "n": 1}
    unordered = fresh(patched, "insert_many_within_unordered")
    with pytest.raises(BulkWriteError) as raised:
        unordered.insert_many([{"_id": "x"}, {"_id": "x"}, {"_id": "y"}, {"_id": "x"}], ordered=False)
    assert [(error["index"], error["code"]) for error in raised.value.details["writeErrors"]] == [
        (1, DUPLICATE_KEY),
        (3, DUPLICATE_KEY),
    ]
    assert sorted(document["_id"] for document in unordered.find()) == ["x", "y"]


def test_string_ids_are_still_rejected_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "restart.sqlite3"
    client: Client
    with EmbeddedDatabase(path) as database, MongoClient[dict[str, Any]](database.uri) as client:
        client.app.contacts.insert_many([{"_id": contact_id(n)} for n in range(100)])
    with EmbeddedDatabase(path) as database, MongoClient[dict[str, Any]](database.uri) as client:
        contacts = client.app.contacts
        with pytest.raises(DuplicateKeyError) as raised:
            contacts.insert_one({"_id": contact_id(42)})
        assert raised.value.code == DUPLICATE_KEY
        with pytest.raises(BulkWriteError) as bulk:
            contacts.insert_many([{"_id": contact_id(100)}, {"_id": contact_id(0)}])
        assert bulk.value.details["writeErrors"][0]["code"] == DUPLICATE_KEY
        assert contacts.count_documents({}) == 101


def outcome(collection: Collection[dict[str, Any]], document_id: object) -> str:
    try:
        collection.insert_one({"_id": document_id})
    except DuplicateKeyError as error:
        return f"duplicate {error.code}"
    except PyMongoError as error:
        return type(error).__name__
    return "inserted"


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (1, 1.0, "duplicate 11000"),
        (1.0, 1, "duplicate 11000"),
        (1, Int64(1), "duplicate 11000"),
        (1, Decimal128("1.0"), "duplicate 11000"),
        ("1", 1, "inserted"),
        ("abc", "ABC", "inserted"),
        (ObjectId("65000000cccccccccccccccc"), "65000000cccccccccccccccc", "inserted"),
        ("65000000dddddddddddddddd", ObjectId("65000000dddddddddddddddd"), "inserted"),
        (ObjectId("65000000eeeeeeeeeeeeeeee"), ObjectId("65000000eeeeeeeeeeeeeeee"), "duplicate 11000"),
        (ObjectId("65000000ffffffffffffffff"), ObjectId("65000000fffffffffffffffe"), "inserted"),
        (dt.datetime(2024, 1, 1), "2024-01-01T00:00:00", "inserted"),
        ({"a": 1, "b": "x"}, {"a": 1.0, "b": "x"}, "duplicate 11000"),
    ],
)
def test_other_id_types_collide_exactly_as_in_stock_mongoeco(
    patched: Client, stock: Client, first: object, second: object, expected: str
) -> None:
    for client in (patched, stock):
        ids = fresh(client, "id_types")
        ids.insert_many([{"_id": contact_id(n)} for n in range(20)])
        assert outcome(ids, first) == "inserted"
        assert outcome(ids, second) == expected
