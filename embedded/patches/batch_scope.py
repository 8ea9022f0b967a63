"""What an insert command's transaction needs once, not once per document: the catalog check and the outbox's pruning.

`batch_inserts` stores every document of an `insert` command in one SQLite transaction, which holds the write
lock from its `BEGIN IMMEDIATE`. Per document, the engine still ran:

- `SQLiteConnection.refresh_catalog_validity` three times: a read of `sqlite_schema` and `PRAGMA data_version`,
  to drop its cached catalog if another connection committed since. While this transaction holds the write
  lock, no other connection can commit, so after the first check in the transaction every later one finds the
  same `data_version` and does nothing. Those are skipped.
- `compact_change_outbox` after appending the document's change: read the outbox's newest sequence, the pruned
  mark and the consumers' lowest checkpoint, delete the changes every consumer has (and the oldest identities,
  beyond `max_entries`), and raise the pruned mark. Only the identities' deletion can change what the next
  document's append reads (its replay check reads identities), so it still runs per document, as stock runs it.
  The rest runs once, when the command's documents are stored, before the commit: the consumers' checkpoints
  cannot move inside the transaction, and the newest sequence only grows, so pruning once up to the last target
  deletes the same changes and leaves the same mark as pruning after each document. No other connection sees
  the state in between.

- three catalog reads per document: the collection's options, `INSERT OR IGNORE` of its catalog row, and its
  search indexes. Nothing in an insert changes them, and no other connection can while the lock is held: each
  is read (or inserted) once per transaction and namespace, and later documents get a copy of what was read.

All of it applies only inside `batched(engine, conn)`, on that connection and thread; anywhere else the stock
code runs.
"""

import contextlib
import copy
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mongoeco.engines import _sqlite_outbox
from mongoeco.engines._sqlite_connection import SQLiteConnection
from mongoeco.engines.sqlite import SQLiteEngine

from embedded.patches import ORIGINAL_ATTRIBUTE
from embedded.patches.common import original, replace_method


@dataclass(slots=True)
class _Batch:
    """The command's transaction: its engine and connection, whether its catalog was checked, the pruning owed,
    and the catalog reads made in it."""

    engine: SQLiteEngine
    connection: sqlite3.Connection
    catalog_checked: bool = False
    prune_with: int | None = None  # the max_entries of the last append's compaction, if any was deferred
    read: dict[tuple[Any, ...], Any] = field(default_factory=dict)


_local = threading.local()
_stock: dict[str, Callable[..., Any]] = {}


def _current(connection: sqlite3.Connection) -> _Batch | None:
    batch: _Batch | None = getattr(_local, "batch", None)
    if batch is None or batch.connection is not connection or not connection.in_transaction:
        return None
    return batch


def _of(engine: SQLiteEngine, connection: sqlite3.Connection | None = None) -> _Batch | None:
    """The batch of `engine` on `connection` (the engine's current one when None), if any."""
    batch: _Batch | None = getattr(_local, "batch", None)
    if batch is None or batch.engine is not engine:
        return None
    return _current(engine._require_connection() if connection is None else connection)


def _read_once(batch: _Batch, key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
    """A copy of what `read()` gave the first time `key` was read in the batch (stock reads a new value each time)."""
    if key not in batch.read:
        batch.read[key] = read()
    return copy.deepcopy(batch.read[key])


@contextlib.contextmanager
def batched(engine: SQLiteEngine, connection: sqlite3.Connection) -> Iterator[None]:
    """Inside the command's open write transaction on `connection`: check and read the catalog once, prune the
    outbox once on the way out (not if the block raises: the transaction is then rolled back)."""
    batch = _Batch(engine, connection)
    _local.batch = batch
    try:
        yield
        if batch.prune_with is not None:
            _stock["compact_change_outbox"](connection, max_entries=batch.prune_with)
    finally:
        _local.batch = None


def _refresh_catalog_validity(self: SQLiteConnection) -> None:
    """Stock's check, once per command transaction."""
    batch = _current(self)
    if batch is not None and batch.catalog_checked:
        return
    _stock["refresh_catalog_validity"](self)
    if batch is not None:
        batch.catalog_checked = True


def _compact_change_outbox(conn: sqlite3.Connection, *, max_entries: int) -> int:
    """Stock's compaction; inside a command transaction, only its deletion of the oldest identities."""
    batch = _current(conn)
    if batch is None:
        compacted: int = _stock["compact_change_outbox"](conn, max_entries=max_entries)
        return compacted
    capacity_floor = max(0, _sqlite_outbox._max_sequence(conn) - max_entries)
    conn.execute("DELETE FROM change_outbox_identities WHERE sequence <= ?", (capacity_floor,))
    batch.prune_with = max_entries
    return 0  # append_change ignores the count


def _collection_options_or_empty_sync(
    self: SQLiteEngine, conn: sqlite3.Connection, db_name: str, coll_name: str
) -> dict[str, object]:
    """Stock's read, once per command transaction and namespace."""

    def read() -> dict[str, object]:
        options: dict[str, object] = original("_collection_options_or_empty_sync")(self, conn, db_name, coll_name)
        return options

    batch = _of(self, conn)
    return read() if batch is None else _read_once(batch, ("options", db_name, coll_name), read)


def _ensure_collection_row(
    self: SQLiteEngine, conn: sqlite3.Connection, db_name: str, coll_name: str, *, options: Any = None
) -> None:
    """Stock's insert of the catalog row, once per command transaction and namespace (then it exists)."""
    batch = _of(self, conn)
    key = ("row", db_name, coll_name)
    if batch is not None and key in batch.read:
        return
    original("_ensure_collection_row")(self, conn, db_name, coll_name, options=options)
    if batch is not None:
        batch.read[key] = True


def _load_search_index_rows(self: SQLiteEngine, db_name: str, coll_name: str, *, name: str | None = None) -> Any:
    """Stock's read, once per command transaction, namespace and name."""

    def read() -> Any:
        return original("_load_search_index_rows")(self, db_name, coll_name, name=name)

    batch = _of(self)
    return read() if batch is None else _read_once(batch, ("search", db_name, coll_name, name), read)


def install() -> None:
    """Wrap the catalog check, the outbox compaction and the three catalog reads of an insert."""
    replace_method("_collection_options_or_empty_sync", _collection_options_or_empty_sync)
    replace_method("_ensure_collection_row", _ensure_collection_row)
    replace_method("_load_search_index_rows", _load_search_index_rows)
    _stock["refresh_catalog_validity"] = SQLiteConnection.refresh_catalog_validity
    _stock["compact_change_outbox"] = _sqlite_outbox.compact_change_outbox
    setattr(_refresh_catalog_validity, ORIGINAL_ATTRIBUTE, SQLiteConnection.refresh_catalog_validity)
    setattr(_compact_change_outbox, ORIGINAL_ATTRIBUTE, _sqlite_outbox.compact_change_outbox)
    SQLiteConnection.refresh_catalog_validity = _refresh_catalog_validity  # type: ignore[method-assign]
    _sqlite_outbox.compact_change_outbox = _compact_change_outbox
