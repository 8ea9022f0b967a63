"""Reads with a projection return what stock mongoeco returns (embedded/patches/projected.py, the upstream diff).

A plain inclusion projection decodes only the kept fields. The documents hold every kind of value the codec
tags, at the top and nested, lookalike tags, nulls and missing fields; the projections are plain ones and every
other kind, which reads as before. Results are compared by `repr`, so a value of another type fails too.
"""

import datetime as dt
from typing import Any

import pytest
from bson import Decimal128, Int64, ObjectId, Regex
from pymongo import ASCENDING

from embedded.patches.projected import included_fields
from tests.embedded.conftest import Client, Documents, load_on_both

pytestmark = pytest.mark.slow

MOMENT = dt.datetime(2026, 12, 3, 10, 11, 12, 345000, tzinfo=dt.UTC)
DOCUMENTS: list[dict[str, Any]] = [
    {"_id": "a", "tenant": "t", "name": "Ada", "at": MOMENT, "n": Int64(7), "d": Decimal128("1.10"), "seq": 1},
    {"_id": "b", "tenant": "t", "name": None, "nested": {"at": MOMENT, "list": [MOMENT, {"x": Int64(1)}]}, "seq": 2},
    {"_id": "c", "tenant": "t", "keys": ["e1", "e2"], "look": {"$mongoeco": {"type": "datetime", "value": "x"}}},
    {"_id": ObjectId("65000000000000000000abcd"), "tenant": "t", "name": "Oid", "r": Regex("^a", "i"), "seq": 4},
    {"_id": 5, "tenant": "t", "name": "Five", "at": [MOMENT, None], "seq": 5.5, "deep": [[{"at": MOMENT}]]},
    {"_id": "f", "tenant": "u", "name": "Other", "seq": 6},
]
PROJECTIONS = [
    pytest.param({"name": 1}, id="one field"),
    pytest.param({"name": 1, "at": 1, "n": True, "d": 1, "seq": 1}, id="tagged values"),
    pytest.param({"nested": 1, "look": 1, "keys": 1, "_id": 0}, id="nested values without _id"),
    pytest.param({"deep": 1, "r": 1, "_id": 1}, id="deep lists"),
    pytest.param({"missing": 1}, id="a field no document has"),
    pytest.param({"nested.at": 1}, id="a dotted path (as before)"),
    pytest.param({"name": 0, "at": 0}, id="exclusion (as before)"),
    pytest.param({"keys": {"$slice": 1}, "name": 1}, id="an operator (as before)"),
]


@pytest.fixture(scope="module")
def projected(patched: Client, stock: Client) -> dict[str, Documents]:
    """The documents, with a `(tenant, seq)` index, on the patched and the stock server."""
    return load_on_both(patched, stock, ("projected", "documents"), [[("tenant", ASCENDING)]], DOCUMENTS)


@pytest.mark.parametrize("projection", PROJECTIONS)
@pytest.mark.parametrize("where", [{}, {"tenant": "t"}, {"tenant": "t", "seq": {"$gt": 1}}], ids=str)
def test_projected_reads_equal_stock(projected: dict[str, Documents], projection: Any, where: Any) -> None:
    def read(collection: Documents) -> list[str]:
        return sorted(repr(document) for document in collection.find(where, projection))

    assert read(projected["patched"]) == read(projected["stock"])


def test_only_plain_inclusions_decode_fewer_fields() -> None:
    assert included_fields({"name": 1, "seq": True}) == frozenset({"_id", "name", "seq"})
    assert included_fields({"name": 1, "_id": 0}) == frozenset({"_id", "name"})  # the projection drops `_id`
    for other in ({"a.b": 1}, {"a": 0}, {"a": {"$slice": 1}}, {"a": 1.0}, {"$mongoeco": 1}, {"a": 1, "b": 2}, {}):
        assert included_fields(other) is None
