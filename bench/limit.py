"""The storage engine's limit: the API's documents and indexes written and read straight in SQLite.

No wire protocol, no server, no Python between the query and the B-tree but `sqlite3` and `json`:
one table of JSON documents keyed by id, one SQLite index per index `models/contact.py` declares
(a scalar index is an expression index on the JSON; an index over a list field, a multikey index
in MongoDB, is a table of one row per element, written in the same transaction), WAL and
synchronous=NORMAL as the embedded database runs SQLite, one transaction per insert.
Three operations, each for a fixed time in this process: insert a contact, read one by id, read
the first page of 20 in `created_at` order. The ratios `limit_*` are the API's req/s over these.
"""

import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pymongo import IndexModel

from bench.data import Document
from models.contact import Contact

PAGE = 20
LIST_FIELDS = frozenset({"tag_keys", "email_keys", "phone_keys", "search_terms"})  # stored as JSON arrays


def _column(field: str) -> str:
    return "id" if field == "_id" else f"json_extract(document, '$.{field}')"


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    raise TypeError(f"cannot store {type(value).__name__}")


def _encode_scalar(value: object) -> object:
    return _encode(value) if isinstance(value, datetime) else value


class SqliteLimit:
    """One SQLite file shaped like the contacts collection and its declared indexes."""

    def __init__(self, path: Path, indexes: Sequence[IndexModel] = Contact.Settings.indexes) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE documents (id TEXT PRIMARY KEY, document TEXT NOT NULL) WITHOUT ROWID")
        self.multikey: list[tuple[str, str, list[str]]] = []  # (table, its list field, its fields in order)
        for number, index in enumerate(indexes):
            fields = list(index.document["key"])
            listed = [field for field in fields if field in LIST_FIELDS]
            if not listed:
                columns = ", ".join(_column(field) for field in fields)
                self.db.execute(f"CREATE INDEX ix{number} ON documents ({columns})")
                continue
            if "_id" not in fields:
                fields.append("_id")  # an entry must lead back to its document
            table, names = f"entries{number}", ", ".join(field.strip("_") for field in fields)
            self.db.execute(f"CREATE TABLE {table} ({names})")
            self.db.execute(f"CREATE INDEX ix{number} ON {table} ({names})")
            self.multikey.append((table, listed[0], fields))

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def insert(self, document: Document) -> None:
        """Store one document and its index entries in one transaction."""
        self.db.execute("BEGIN")
        self._write(document)
        self.db.execute("COMMIT")

    def load(self, documents: Iterable[Document]) -> list[str]:
        """Store many documents in one transaction (the untimed preload); their ids."""
        ids = []
        self.db.execute("BEGIN")
        for document in documents:
            self._write(document)
            ids.append(document["_id"])
        self.db.execute("COMMIT")
        return ids

    def _write(self, document: Document) -> None:
        self.db.execute("INSERT INTO documents VALUES (?, ?)", (document["_id"], json.dumps(document, default=_encode)))
        for table, listed, fields in self.multikey:
            rows = [
                tuple(element if field == listed else _encode_scalar(document.get(field)) for field in fields)
                for element in document.get(listed, [])
            ]
            if rows:
                marks = ", ".join("?" * len(fields))
                self.db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608 (our own names)

    def get(self, contact_id: str, tenant: str) -> Document | None:
        """One contact by id, in its tenant, decoded."""
        row = self.db.execute("SELECT document FROM documents WHERE id = ?", (contact_id,)).fetchone()
        if row is None:
            return None
        document: Document = json.loads(row[0])
        return document if document["tenant"] == tenant else None

    def first_page(self, tenant: str) -> list[Document]:
        """The first page of a tenant's contacts in `created_at` order, and one more (as the API fetches)."""
        rows = self.db.execute(
            "SELECT document FROM documents WHERE json_extract(document, '$.tenant') = ? "
            "ORDER BY json_extract(document, '$.created_at'), id LIMIT ?",
            (tenant, PAGE + 1),
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def uses_index_for_pages(self) -> bool:
        """Whether SQLite serves the page from the (tenant, created_at, _id) index rather than sorting."""
        plan = self.db.execute(
            "EXPLAIN QUERY PLAN SELECT document FROM documents WHERE json_extract(document, '$.tenant') = ? "
            "ORDER BY json_extract(document, '$.created_at'), id LIMIT 21",
            ("default",),
        ).fetchall()
        return not any("TEMP B-TREE" in str(row) for row in plan)


def _rate(operation: Callable[[int], object], seconds: float) -> float:
    """Operations per second of `operation(n)`, called back to back for `seconds`."""
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        operation(count)
        count += 1
    return count / (time.perf_counter() - started)


def measure(
    path: Path, documents: Iterable[Document], new: Callable[[int], Document], seconds: float, sample: int = 1_000
) -> dict[str, Any]:
    """Load `documents` into a fresh SQLite file at `path`, then time inserts, gets (of `sample` ids drawn
    uniformly from the loaded ones) and first pages."""
    limit = SqliteLimit(path)
    try:
        started = time.perf_counter()
        ids = limit.load(documents)
        load_s = time.perf_counter() - started
        tenant = "default"
        shuffled = random.Random(3).sample(ids, min(sample, len(ids)))  # noqa: S311 (test data)
        found = limit.get(shuffled[0], tenant)
        if found is None:
            raise RuntimeError("the limit harness cannot find a loaded contact")
        return {
            "load_s": round(load_s, 2),
            "pages_use_index": limit.uses_index_for_pages(),
            "get": round(_rate(lambda n: limit.get(shuffled[n % len(shuffled)], tenant), seconds), 1),
            "list": round(_rate(lambda n: limit.first_page(tenant), seconds), 1),
            "create": round(_rate(lambda n: limit.insert(new(n)), seconds), 1),
        }
    finally:
        limit.close()
