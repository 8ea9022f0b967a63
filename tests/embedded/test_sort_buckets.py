"""The bucket expression the patches write sorts and indexes with equals stock `sort_type_expression_sql`
(embedded/patches/common.py `bucket_sql`, and its hunk in the upstream diff), and files indexed on stock's
expression are indexed again on it when the patched engine opens them."""

import contextlib
import datetime
import json
import shutil
import sqlite3
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bson import Binary, Code, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp
from mongoeco.engines import sqlite_query
from mongoeco.engines.sqlite import SQLiteEngine
from pymongo import ASCENDING

from embedded import EmbeddedDatabase
from embedded.patches import ACCELERATOR_PREFIX, ORIGINAL_ATTRIBUTE
from embedded.patches.common import bucket_sql
from tests.embedded.conftest import serving

pytestmark = pytest.mark.slow

STOCK_BUCKET = getattr(sqlite_query.sort_type_expression_sql, ORIGINAL_ATTRIBUTE, sqlite_query.sort_type_expression_sql)
VALUES: list[object] = [
    None, True, False, 0, -0.0, 2.5, 2**62, Int64(7), "", "text", "null", [], [1, "a"], [[None]],
    {}, {"a": 1}, {"$mongoeco": 1}, {"$mongoeco": {"type": 5}}, {"$mongoeco": {"type": "datetime", "value": "x"}},
    datetime.datetime(2026, 12, 3, 10, 11, 12, 997000), Decimal128("1.10"), Decimal("2.5"), ObjectId(),
    uuid.UUID("12345678-1234-5678-1234-567812345678"), Binary(b"\x00\xff", 0), Binary(b"\x01", 4), b"\x01\x02",
    Regex("^a", "i"), Code("x = 1"), Timestamp(1, 2), MinKey(), MaxKey(),
]  # fmt: skip
FIELDS = ["f", "a.b", "a.0", "a.0.b", "it's"]
INDEXED = ("_id", "tenant", "name")


def documents() -> list[str]:
    """Every value at every path (and documents lacking the paths), serialised as the engine stores them."""
    engine = SQLiteEngine(path=":memory:")
    found: list[dict[str, Any]] = [{"_id": "none"}, {"_id": "other", "g": 1}]
    for number, value in enumerate(VALUES):
        found += [
            {"_id": number, "f": value, "a": {"b": value}, "it's": value},
            {"_id": f"list{number}", "a": [value, {"b": value}]},
            {"_id": f"deep{number}", "a": [{"b": value}]},
        ]
    return [engine._serialize_document(document) for document in found]


@pytest.fixture(scope="module")
def diffed_buckets(diffed_site: Path) -> dict[str, str]:
    """`sort_type_expression_sql` of each field, as mongoeco with the upstream diff applied writes it."""
    program = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "from mongoeco.engines.sqlite_query import sort_type_expression_sql as bucket; "
        "print(json.dumps({field: bucket(field) for field in sys.argv[2:]}))"
    )
    finished = subprocess.run(
        [sys.executable, "-c", program, str(diffed_site), *FIELDS], capture_output=True, text=True, check=True
    )
    found: dict[str, str] = json.loads(finished.stdout)
    return found


@pytest.mark.parametrize("form", ["monkeypatch", "upstream-diff"])
@pytest.mark.parametrize("field", FIELDS)
def test_the_bucket_of_every_stored_value_is_stock_s(field: str, form: str, diffed_buckets: dict[str, str]) -> None:
    patched = bucket_sql(field) if form == "monkeypatch" else diffed_buckets[field]
    assert patched != STOCK_BUCKET(field)
    with contextlib.closing(sqlite3.connect(":memory:")) as connection:
        connection.execute("CREATE TABLE documents (document TEXT)")
        connection.executemany("INSERT INTO documents VALUES (?)", [(text,) for text in documents()])
        rows = connection.execute(f"SELECT document, {STOCK_BUCKET(field)}, {patched} FROM documents").fetchall()

    assert len(rows) == 2 + 3 * len(VALUES)
    assert [row for row in rows if row[1] != row[2]] == []
    assert len({row[1] for row in rows}) >= (7 if field in ("f", "it's") else 3)  # the values cover many buckets


def accelerator_sql(path: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return {
            name: sql
            for name, sql in connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            if name.startswith(ACCELERATOR_PREFIX)
        }


def test_accelerators_on_stock_s_expression_are_built_again_when_the_engine_opens_the_file(tmp_path: Path) -> None:
    path = tmp_path / "older.sqlite3"
    with serving(EmbeddedDatabase(path)) as client:
        client.older.items.create_index([("tenant", ASCENDING), ("name", ASCENDING)])
        client.older.items.insert_many([{"tenant": "t", "name": f"n{number:02d}"} for number in range(20)])
    built = accelerator_sql(path)
    assert built
    assert all(STOCK_BUCKET("tenant") not in sql for sql in built.values())
    older = tmp_path / "rewritten.sqlite3"
    shutil.copyfile(path, older)
    with contextlib.closing(sqlite3.connect(older)) as connection:  # as a file indexed before `bucket_sql`
        for name, sql in built.items():
            connection.execute(f'DROP INDEX "{name}"')
            stock_sql = sql
            for field in INDEXED:
                stock_sql = stock_sql.replace(bucket_sql(field), STOCK_BUCKET(field))
            connection.execute(stock_sql)
        connection.commit()
    assert all(any(STOCK_BUCKET(field) in sql for field in INDEXED) for sql in accelerator_sql(older).values())

    with serving(EmbeddedDatabase(older)) as client:
        names = [item["name"] for item in client.older.items.find({"tenant": "t"}).sort("name", -1).limit(3)]

    assert names == ["n19", "n18", "n17"]
    assert accelerator_sql(older) == built
