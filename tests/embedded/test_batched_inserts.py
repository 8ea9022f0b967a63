"""An `insert` command runs in one SQLite transaction, and answers exactly as stock mongoeco does.

Each scenario sends the same raw `insert` commands to stock mongoeco and to the patched server (monkeypatched
and upstream diff), then compares the whole replies (`n`, every writeError with its index, code, message and
key) and the stored documents.
"""

from pathlib import Path
from typing import Any

import pytest
from bson import Int64, ObjectId
from pymongo import ASCENDING

from tests.embedded.conftest import Client
from tests.embedded.traced_database import traced_insert_command

pytestmark = pytest.mark.slow

type Documents = list[dict[str, Any]]
type Outcome = tuple[list[dict[str, Any]], Documents]


def _run(
    client: Client, name: str, stored: Documents, commands: list[tuple[Documents, bool]], unique: str = ""
) -> Outcome:
    """Store `stored`, send each (documents, ordered) insert command; the replies and the documents afterwards."""
    database = client.batched
    database.drop_collection(name)
    if unique:
        database[name].create_index([(unique, ASCENDING)], unique=True)
    if stored:
        database[name].insert_many([dict(document) for document in stored])
    replies = [
        database.command({"insert": name, "documents": [dict(document) for document in documents], "ordered": ordered})
        for documents, ordered in commands
    ]
    return replies, list(database[name].find().sort("n", ASCENDING))


def _same(patched: Client, stock: Client, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Run the scenario on both; assert equal outcomes; the replies."""
    outcome = _run(patched, *args, **kwargs)
    assert outcome == _run(stock, *args, **kwargs)
    return outcome[0]


def _errors(reply: dict[str, Any]) -> list[tuple[int, int]]:
    return [(error["index"], error["code"]) for error in reply.get("writeErrors", [])]


@pytest.mark.parametrize("ordered", [True, False], ids=["ordered", "unordered"])
def test_duplicate_ids_in_the_batch_and_stored(patched: Client, stock: Client, ordered: bool) -> None:
    stored = [{"_id": "a", "n": 0}]
    batch = [
        {"_id": "b", "n": 1},
        {"_id": "a", "n": 2},
        {"_id": "c", "n": 3},
        {"_id": "b", "n": 4},
        {"_id": "d", "n": 5},
    ]
    (reply,) = _same(patched, stock, "ids", stored, [(batch, ordered)])
    assert _errors(reply) == ([(1, 11000)] if ordered else [(1, 11000), (3, 11000)])
    assert reply["n"] == (1 if ordered else 3)


@pytest.mark.parametrize("ordered", [True, False], ids=["ordered", "unordered"])
def test_duplicates_on_a_unique_secondary_index(patched: Client, stock: Client, ordered: bool) -> None:
    stored = [{"_id": "s", "n": 0, "email": "x@example.com"}]
    batch = [
        {"_id": "p", "n": 1, "email": "y@example.com"},
        {"_id": "q", "n": 2, "email": "x@example.com"},
        {"_id": "r", "n": 3, "email": "y@example.com"},
        {"_id": "t", "n": 4, "email": "z@example.com"},
    ]
    (reply,) = _same(patched, stock, "unique", stored, [(batch, ordered)], unique="email")
    assert _errors(reply) == ([(1, 11000)] if ordered else [(1, 11000), (2, 11000)])
    assert reply["writeErrors"][0]["keyValue"] == {"email": "x@example.com"}


@pytest.mark.parametrize("ordered", [True, False], ids=["ordered", "unordered"])
def test_numeric_ids_collide_across_types(patched: Client, stock: Client, ordered: bool) -> None:
    stored = [{"_id": 1, "n": 0}]
    batch = [{"_id": 1.0, "n": 1}, {"_id": 2, "n": 2}, {"_id": Int64(2), "n": 3}, {"_id": 2.5, "n": 4}]
    (reply,) = _same(patched, stock, "numeric", stored, [(batch, ordered)])
    assert _errors(reply) == ([(0, 11000)] if ordered else [(0, 11000), (2, 11000)])


@pytest.mark.parametrize("ordered", [True, False], ids=["ordered", "unordered"])
def test_an_invalid_id_fails_before_the_engine(patched: Client, stock: Client, ordered: bool) -> None:
    batch = [{"_id": "ok", "n": 1}, {"_id": [1, 2], "n": 2}, {"_id": "after", "n": 3}]
    (reply,) = _same(patched, stock, "invalid", [], [(batch, ordered)])
    assert [index for index, _ in _errors(reply)] == [1]
    assert reply["n"] == (1 if ordered else 2)


def test_every_document_of_a_clean_batch_is_stored(patched: Client, stock: Client) -> None:
    batch = [{"_id": ObjectId(f"65000000{n:016x}"), "n": n, "tags": ["a", n]} for n in range(40)]
    first, second = _same(patched, stock, "clean", [], [(batch[:20], False), (batch[20:], True)])
    assert first == second == {"n": 20, "ok": 1.0}


def test_documents_without_an_id_get_one(patched: Client, stock: Client) -> None:
    outcomes = []
    for client in (patched, stock):
        replies, documents = _run(client, "generated", [], [([{"n": 1}, {"n": 2}], True)])
        assert all(isinstance(document.pop("_id"), ObjectId) for document in documents)
        outcomes.append((replies, documents))
    assert outcomes[0] == outcomes[1]


def test_an_insert_command_is_one_transaction(tmp_path: Path) -> None:
    statements = traced_insert_command(tmp_path)
    assert sum(statement.startswith("INSERT INTO documents") for statement in statements) == 20
    assert sum(statement == "BEGIN IMMEDIATE" for statement in statements) == 1
