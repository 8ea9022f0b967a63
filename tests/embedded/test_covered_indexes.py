"""Physical indexes that an accelerator covers are dropped (embedded/patches/accelerators.py, the upstream diff).

A file written by stock mongoeco holds stock's `idx_*` index for every declared index. Opened by the patched or
the diffed engine, it keeps those of hidden and collated indexes only; an index created there gets no physical
index at all. The catalog, unique checks and query results stay as on stock.
"""

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import ASCENDING, DESCENDING, MongoClient
from pymongo.errors import DuplicateKeyError

from embedded import EmbeddedDatabase
from embedded.patches import ACCELERATOR_PREFIX
from tests.embedded.conftest import DiffedDatabase, StockDatabase, serving

pytestmark = pytest.mark.slow

PLAIN = [("tenant", ASCENDING), ("created_at", DESCENDING), ("_id", ASCENDING)]
UNIQUE = [("tenant", ASCENDING), ("code", ASCENDING)]
HIDDEN = [("tenant", ASCENDING), ("hidden_field", ASCENDING)]
COLLATED = [("name", ASCENDING)]
DOCUMENTS = [
    {"_id": f"c{number:02d}", "tenant": "t" if number % 3 else "u", "created_at": number % 7, "code": number}
    for number in range(30)
]
QUERY: dict[str, Any] = {"tenant": "t", "created_at": {"$gte": 2}}


def physical_indexes(path: Path) -> dict[str, str]:
    """Stock's physical index of each catalogued index that still exists in the file: {index name: physical}."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        existing = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        catalog = connection.execute("SELECT name, physical_name FROM indexes WHERE coll_name = 'items'").fetchall()
        accelerators = any(name.startswith(ACCELERATOR_PREFIX) for name in existing)
    assert catalog, "the file has no catalogued index"
    found = {name: physical for name, physical in catalog if physical in existing}
    return found | ({"(accelerators)": ""} if accelerators else {})


def sorted_ids(client: MongoClient[dict[str, Any]]) -> list[str]:
    items = client.covered.items
    return [document["_id"] for document in items.find(QUERY).sort([("created_at", -1), ("_id", 1)])]


@pytest.fixture(scope="module")
def stock_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A file written by stock mongoeco, with four indexes, and what the sorted query finds there."""
    path = tmp_path_factory.mktemp("covered") / "stock.sqlite3"
    with serving(StockDatabase(path)) as client:
        items = client.covered.items
        items.insert_many(DOCUMENTS)
        items.create_index(PLAIN, name="plain")
        items.create_index(UNIQUE, name="unique", unique=True)
        items.create_index(HIDDEN, name="hidden", hidden=True)
        items.create_index(COLLATED, name="collated", collation={"locale": "en", "strength": 2})
        found = sorted_ids(client)
    assert set(physical_indexes(path)) == {"plain", "unique", "hidden", "collated"}
    return path, found


@pytest.fixture(params=["patched", "diffed"], ids=["monkeypatch", "upstream-diff"])
def reopened(
    request: pytest.FixtureRequest, stock_file: tuple[Path, list[str]], tmp_path: Path, diffed_site: Path
) -> Iterator[tuple[Path, MongoClient[dict[str, Any]], list[str]]]:
    """A copy of the stock file, served by the patched or the diffed engine."""
    source, found = stock_file
    path = tmp_path / "reopened.sqlite3"
    shutil.copyfile(source, path)
    database = EmbeddedDatabase(path) if request.param == "patched" else DiffedDatabase(path, diffed_site)
    with serving(database) as client:
        yield path, client, found


def test_opening_a_stock_file_drops_the_physical_indexes_that_accelerators_cover(
    reopened: tuple[Path, MongoClient[dict[str, Any]], list[str]],
) -> None:
    path, client, _ = reopened
    client.covered.items.find_one({"tenant": "t"})  # the engine has connected

    assert set(physical_indexes(path)) == {"hidden", "collated", "(accelerators)"}


def test_the_catalog_unique_checks_and_results_stay_as_on_stock(
    reopened: tuple[Path, MongoClient[dict[str, Any]], list[str]],
) -> None:
    _, client, found = reopened
    items = client.covered.items

    assert {index["name"] for index in items.list_indexes()} == {"_id_", "plain", "unique", "hidden", "collated"}
    assert sorted_ids(client) == found
    with pytest.raises(DuplicateKeyError):
        items.insert_one({"_id": "again", "tenant": "t", "code": 1})


def test_an_index_created_on_the_patched_engine_gets_no_physical_index(
    reopened: tuple[Path, MongoClient[dict[str, Any]], list[str]],
) -> None:
    path, client, _ = reopened
    items = client.covered.items

    items.create_index([("tenant", ASCENDING), ("code", DESCENDING)], name="later")
    items.create_index([("later_hidden", ASCENDING)], name="later_hidden", hidden=True)

    assert set(physical_indexes(path)) == {"hidden", "collated", "later_hidden", "(accelerators)"}
    assert [document["code"] for document in items.find({"tenant": "u"}).sort("code", -1).limit(3)] == [27, 24, 21]
