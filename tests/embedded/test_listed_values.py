"""`$or` of equalities (how the API fetches a batch of contacts by id) matches stock mongoeco, and seeks each value.

The implied predicates turn such a filter into `value IN (...)` on an accelerator, and the equalities themselves
become one IN list per field and type in every statement (`embedded/patches/listed.py`). A tenant mixes `_id`s and
`ref` values of other types (an array holding a listed value, null, a missing field, Int64, 1 vs 1.0, nested
documents), so the equality with stock also covers rows that the added terms must not drop or add.
"""

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from bson import Int64, ObjectId
from pymongo import ASCENDING

from embedded.patches import ACCELERATOR_PREFIX
from tests.embedded.conftest import Client, Documents, load_on_both, serving
from tests.embedded.traced_database import TracedDatabase

pytestmark = pytest.mark.slow


MOMENT = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
ODD_REFS: list[object] = [None, ["r03", "zz"], 3, 3.0, Int64(3), {"r": "r03"}, True, MOMENT, "R03", ObjectId()]


def documents() -> list[dict[str, Any]]:
    """Tenants a and b with ids i000..i119 (b every third); tenant odd with `ref`s of every type and odd ids."""
    found: list[dict[str, Any]] = [
        {"_id": f"i{number:03d}", "tenant": "a", "ref": f"r{number % 40:02d}"} for number in range(120)
    ]
    found += [{"_id": f"j{number:03d}", "tenant": "b", "ref": f"r{number:02d}"} for number in range(0, 120, 3)]
    found += [{"_id": f"odd{number}", "tenant": "odd", "ref": value} for number, value in enumerate(ODD_REFS)]
    found += [{"_id": "odd-missing", "tenant": "odd"}, {"_id": 7, "tenant": "odd", "ref": "r03"}]
    found += [{"_id": 7.5, "tenant": "odd", "ref": 4}, {"_id": MOMENT, "tenant": "odd", "ref": MOMENT}]
    return found


@pytest.fixture(scope="module")
def listed(patched: Client, stock: Client) -> dict[str, Documents]:
    """The same documents and `(tenant, _id)` and `(tenant, ref, _id)` indexes on the patched and stock server."""
    indexes = [
        [("tenant", ASCENDING), ("_id", ASCENDING)],
        [("tenant", ASCENDING), ("ref", ASCENDING), ("_id", ASCENDING)],
    ]
    return load_on_both(patched, stock, ("listed", "documents"), indexes, documents())


def any_of(field: str, values: Sequence[object]) -> dict[str, Any]:
    return {"$or": [{field: value} for value in values]}


IDS = ["i005", "i117", "i042", "j003", "i999", "odd1", "i042"]
FILTERS = [
    pytest.param({"tenant": "a", **any_of("_id", IDS)}, id="tenant and ids"),
    pytest.param(any_of("_id", IDS), id="ids alone"),
    pytest.param({"$or": [{"_id": value, "tenant": "a"} for value in IDS]}, id="tenant inside each branch"),
    pytest.param({"tenant": "odd", **any_of("_id", [7, 7.0, Int64(7), "odd3", 7.5, MOMENT])}, id="odd ids"),
    pytest.param({"tenant": "odd", **any_of("ref", ["r03", 3, MOMENT])}, id="odd refs"),
    pytest.param({"tenant": "odd", **any_of("ref", ["r03", "zz"])}, id="an array holding a listed value"),
    pytest.param({"tenant": "odd", **any_of("ref", [None, "r03"])}, id="null among the values"),
    pytest.param({"tenant": {"$in": ["a", "b"]}, **any_of("ref", ["r01", "r03", "r39"])}, id="refs in two tenants"),
    pytest.param({"$and": [any_of("ref", ["r01", "r02"]), any_of("ref", ["r02", "r03"])], "tenant": "a"}, id="and"),
    pytest.param({"tenant": "a", "$or": [{"ref": "r01"}, {"ref": {"$gt": "r38"}}]}, id="an equality or a range"),
    pytest.param({"tenant": "a", "$or": [{"ref": "r01"}, {"_id": "i002"}]}, id="two fields"),
    pytest.param({"tenant": "a", **any_of("ref", [f"r{number:02d}" for number in range(0, 40, 2)])}, id="many"),
    pytest.param({"tenant": "odd", **any_of("ref", ["r03", 3, "zz", 4.0, True, None, 3.0])}, id="strings and numbers"),
    pytest.param({"$or": [*any_of("ref", ["r01", "r02"])["$or"], {"tenant": "b"}]}, id="equalities and another field"),
]


@pytest.mark.parametrize("where", FILTERS)
@pytest.mark.parametrize("sort", [[("_id", 1)], [("_id", -1)], [("ref", 1), ("_id", 1)], None], ids=str)
def test_listed_reads_equal_stock(listed: dict[str, Documents], where: dict[str, Any], sort: Any) -> None:
    def read(collection: Documents) -> list[Any]:
        cursor = collection.find(where)
        found = [document["_id"] for document in (cursor.sort(sort) if sort else cursor)]
        return found if sort else sorted(found, key=repr)

    assert read(listed["patched"]) == read(listed["stock"])


def test_a_batch_of_ids_seeks_each_of_them(listed: dict[str, Documents]) -> None:
    explained = listed["patched"].find({"tenant": "a", **any_of("_id", IDS)}).sort("_id", 1).explain()
    details = " | ".join(explained["details"]["engine_details"])
    assert f"SEARCH documents USING INDEX {ACCELERATOR_PREFIX}" in details
    assert "<expr>=?)" in details  # each listed id is a seek (an IN list), not a range between the first and last
    assert "<expr>>?" not in details
    assert "<expr><?" not in details


def test_the_listed_ids_are_one_in_list_in_each_statement_of_the_read(tmp_path: Path) -> None:
    database = TracedDatabase(tmp_path / "traced.sqlite3", tmp_path / "trace.sql")
    ids = [f"i{number:03d}" for number in range(0, 120, 3)]
    with serving(database) as client:
        collection = client.listed.documents
        collection.create_index([("tenant", ASCENDING), ("_id", ASCENDING)])
        collection.insert_many(documents())
        database.trace.write_text("")
        found = [document["_id"] for document in collection.find({"tenant": "a", **any_of("_id", ids)}).sort("_id", 1)]
        statements = database.trace.read_text().splitlines()

    assert found == ids
    listed = "', '".join(ids)
    reads = [statement for statement in statements if "'i003'" in statement]
    assert any(f"json_extract(document, '$._id') IN ('{listed}')" in statement for statement in reads)  # the query
    assert any(f"json_each.value IN ('{listed}')" in statement for statement in reads)  # the sort probe (generic)
    assert not any("json_extract(document, '$._id') = 'i0" in statement for statement in reads)
    assert not any("json_each.value = 'i0" in statement for statement in reads)
