"""Numeric range reads (the change feed's `{owner, seq > n}` by `seq`) match stock mongoeco, and seek an index.

The implied predicates cover numbers as well as strings and datetimes. A third owner mixes `seq` values of
every type with numbers, so the equality with stock also covers rows whose type the added terms must not drop.
"""

from typing import Any

import pytest
from bson import Int64, ObjectId
from pymongo import ASCENDING
from pymongo.collection import Collection

from embedded.patches import ACCELERATOR_PREFIX
from tests.embedded.conftest import Client, load_on_both

pytestmark = pytest.mark.slow

type Changes = Collection[dict[str, Any]]

ODD_VALUES: list[object] = [None, True, False, "7", Int64(9), ObjectId(), 2.5, -3, 1e300]
BOUNDS: list[object] = [0, 1, 2.5, 40, 59.5, 60, -1, Int64(5)]


def documents() -> list[dict[str, Any]]:
    """Two owners with seq 1..60 (one of them every other number), and an owner with odd `seq` values."""
    found = [{"_id": f"a{seq:04d}", "owner": "a", "seq": seq} for seq in range(1, 61)]
    found += [{"_id": f"b{seq:04d}", "owner": "b", "seq": seq} for seq in range(2, 61, 2)]
    found += [{"_id": f"odd{number:02d}", "owner": "odd", "seq": value} for number, value in enumerate(ODD_VALUES)]
    found += [{"_id": "odd-int", "owner": "odd", "seq": 12}, {"_id": "odd-missing", "owner": "odd"}]
    return found


@pytest.fixture(scope="module")
def changes(patched: Client, stock: Client) -> dict[str, Changes]:
    """The same documents and `(owner, seq)` index on the patched and the stock server."""
    return load_on_both(
        patched, stock, ("numeric", "changes"), [[("owner", ASCENDING), ("seq", ASCENDING)]], documents()
    )


def read(collection: Changes, where: dict[str, Any], direction: int) -> list[Any]:
    return [document["_id"] for document in collection.find(where).sort("seq", direction).limit(25)]


FILTERS = [
    pytest.param(operator, bound, id=f"{operator} {bound!r}")
    for operator in ("$gt", "$gte", "$lt", "$lte", "$eq")
    for bound in BOUNDS
]


def test_the_odd_owner_is_read_in_sql_where_the_added_terms_apply(changes: dict[str, Changes]) -> None:
    explained = changes["patched"].find({"owner": "odd", "seq": {"$gt": 1}}).sort("seq", 1).limit(25).explain()
    assert explained["strategy"] != "python"  # else the comparisons with stock would not exercise them


@pytest.mark.parametrize("owner", ["a", "b", "odd"])
@pytest.mark.parametrize(("operator", "bound"), FILTERS)
def test_numeric_range_reads_equal_stock(changes: dict[str, Changes], owner: str, operator: str, bound: Any) -> None:
    where = {"owner": owner, "seq": {operator: bound}}
    for direction in (1, -1):
        assert read(changes["patched"], where, direction) == read(changes["stock"], where, direction), direction


def test_a_bounded_range_equals_stock(changes: dict[str, Changes]) -> None:
    where = {"owner": "a", "$and": [{"seq": {"$gt": 10}}, {"seq": {"$lte": 20.5}}]}
    patched = read(changes["patched"], where, 1)
    assert patched == read(changes["stock"], where, 1)
    assert patched == [f"a{seq:04d}" for seq in range(11, 21)]


def test_a_change_feed_page_seeks_the_accelerator_and_never_sorts(changes: dict[str, Changes]) -> None:
    where = {"owner": "a", "seq": {"$gt": 40}}
    explained = changes["patched"].find(where).sort("seq", 1).limit(25).explain()
    details = " | ".join(explained["details"]["engine_details"])
    assert f"SEARCH documents USING INDEX {ACCELERATOR_PREFIX}" in details
    assert "TEMP B-TREE" not in details
    assert "<expr>>?" in details  # the range itself is a seek, not a filter over the owner's rows
