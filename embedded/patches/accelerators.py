"""Accelerator indexes: SQLite indexes on exactly the expressions the engine sorts by.

The physical indexes that mongoeco's `create_index` builds use `type_expression_sql`, but ORDER BY and the
range predicates use `sort_type_expression_sql` and `value_expression_sql`, so no index ever serves a
sorted page. For every plain declared key spec (at most four distinct top-level fields, directions +-1,
no collation, not hidden), an index on `(db_name, coll_name, bucket(f1), value(f1), ...)` is added in the
same directions. One more, `ID_INDEX`, covers `_id` in every collection. Every other field of such a key
gets a "bucket index" on `(db_name, coll_name, bucket(f))`: the engine's feature probes ask "does any
document hold a value of type T in f?", which only an index that leads with `bucket(f)` answers without
reading every document (SQLite does not skip-scan past a leading tenant without statistics). Indexes declared
before the patch was applied are backfilled when the engine connects.

Accelerators are keyed by key spec, not by collection, and are never dropped. Stock mongoeco ignores them.

An index that has an accelerator keeps its entry in the catalog (listIndexes, unique checks, TTL), but not
the physical index that stock `create_index` builds for it: no query plan uses one (the engine's queries, with
the predicates the patches add, seek in the accelerators), and each of them made every insert and update of
every collection evaluate its expressions on the document (a third of the cost of storing a contact). Such
physical indexes are dropped after `create_index` and, in files written before, when the engine connects.
"""

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

import mongoeco.engines.sqlite_query as sqlite_query
from mongoeco._types.indexes import normalize_index_keys
from mongoeco.core.json_compat import json_loads
from mongoeco.engines.sqlite import SQLiteEngine

from embedded.patches import ACCELERATOR_PREFIX, ID_INDEX, ORIGINAL_ATTRIBUTE
from embedded.patches.common import bucket_sql, is_plain_field, original, replace_method, value_sql

type KeySpec = tuple[tuple[str, int], ...]

MAX_FIELDS = 4
ID_KEY: KeySpec = (("_id", 1),)
# How stock's bucket expression begins: an accelerator built on it (before `bucket_sql`) is dropped and rebuilt.
_STOCK_BUCKET = "CASE WHEN json_type(document, "


def canonical_key(key: Any) -> KeySpec | None:
    """`key` as ((field, +-1), ...) with a leading ascending field, or None if no accelerator fits it."""
    try:
        pairs: list[tuple[str, int]] = [(field, int(direction)) for field, direction in key]
    except (TypeError, ValueError):
        return None
    if not pairs or len(pairs) > MAX_FIELDS or len({field for field, _ in pairs}) != len(pairs):
        return None
    if not all(is_plain_field(field) and direction in (1, -1) for field, direction in pairs):
        return None
    if pairs[0][1] == -1:  # SQLite walks an index both ways: (a -1, b 1) is served by (a 1, b -1)
        pairs = [(field, -direction) for field, direction in pairs]
    return tuple(pairs)


def accelerator_name(key: KeySpec) -> str:
    """`ID_INDEX` for `_id`, otherwise the prefix and a digest of the key spec."""
    if key == ID_KEY:
        return ID_INDEX
    return ACCELERATOR_PREFIX + hashlib.sha1(repr(key).encode(), usedforsecurity=False).hexdigest()[:16]


def accelerator_ddl(key: KeySpec) -> str:
    """CREATE INDEX IF NOT EXISTS for the accelerator of `key`."""
    columns = ["db_name", "coll_name"]
    for field, direction in key:
        order = "ASC" if direction == 1 else "DESC"
        columns += [f"{bucket_sql(field)} {order}", f"{value_sql(field)} {order}"]
    return f'CREATE INDEX IF NOT EXISTS "{accelerator_name(key)}" ON documents ({", ".join(columns)})'


def bucket_index_ddl(field: str) -> str:
    """CREATE INDEX IF NOT EXISTS for the bucket index of `field`."""
    name = ACCELERATOR_PREFIX + "bucket_" + hashlib.sha1(field.encode(), usedforsecurity=False).hexdigest()[:16]
    return f'CREATE INDEX IF NOT EXISTS "{name}" ON documents (db_name, coll_name, {bucket_sql(field)})'


@contextlib.contextmanager
def _committing(conn: sqlite3.Connection) -> Iterator[None]:
    """Commit, after the block, the transaction that the block opened (never one that was open before it)."""
    was_in_transaction = conn.in_transaction
    yield
    if not was_in_transaction and conn.in_transaction:
        conn.commit()


def ensure_accelerators(conn: sqlite3.Connection, keys: Iterable[object]) -> None:
    """Create the missing accelerators and bucket indexes for `keys`, committing only a transaction it opened."""
    with _committing(conn):
        for key in keys:
            canonical = canonical_key(key)
            if canonical is None:
                continue
            conn.execute(accelerator_ddl(canonical))
            for field, _direction in canonical[1:]:
                if field != "_id":  # `ID_INDEX` leads with bucket(_id) already
                    conn.execute(bucket_index_ddl(field))


def catalogued_keys(conn: sqlite3.Connection) -> list[tuple[str | None, KeySpec]]:
    """Every declared index of the file that has an accelerator: its physical index (stock's `idx_*` on
    `documents`, None if it has none) and its canonical key spec."""
    found = []
    for physical_name, keys_json, hidden, collation in conn.execute(
        "SELECT physical_name, keys, hidden_flag, collation_json FROM indexes"
    ).fetchall():
        if hidden or collation or not keys_json:
            continue
        try:
            key = canonical_key(json_loads(keys_json))
        except ValueError:
            continue
        if key is not None:
            found.append((None if physical_name is None else str(physical_name), key))
    return found


def drop_covered_physical_indexes(conn: sqlite3.Connection) -> None:
    """Drop the physical indexes of `catalogued_keys`, committing only a transaction it opened."""
    with _committing(conn):
        for physical_name, _key in catalogued_keys(conn):
            if physical_name is not None:
                conn.execute(f"DROP INDEX IF EXISTS {SQLiteEngine._quote_identifier(physical_name)}")


def drop_outdated_accelerators(conn: sqlite3.Connection) -> None:
    """Drop the accelerators and bucket indexes built on stock's bucket expression, which no query writes any more
    (`ensure_accelerators` builds them again on `bucket_sql`); commit only a transaction it opened."""
    with _committing(conn):
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall():
            if str(name).startswith(ACCELERATOR_PREFIX) and _STOCK_BUCKET in str(sql or ""):
                conn.execute(f"DROP INDEX IF EXISTS {SQLiteEngine._quote_identifier(str(name))}")


def declared_keys(engine: SQLiteEngine, db_name: str, coll_name: str) -> list[KeySpec]:
    """The key specs with an accelerator for this collection: `_id` and the plain declared indexes."""
    keys = [ID_KEY]
    for index in engine._load_indexes(db_name, coll_name):
        if index.get("hidden") or index.get("collation") is not None:
            continue
        canonical = canonical_key(index.get("key") or ())
        if canonical is not None:
            keys.append(canonical)
    return keys


def bucket_seekable(engine: SQLiteEngine, db_name: str, coll_name: str, field: str) -> bool:
    """Whether an index of this collection leads with bucket(field): an accelerator or a bucket index."""
    return is_plain_field(field) and any(
        field == name for key in declared_keys(engine, db_name, coll_name) for name, _direction in key
    )


def _connect_sync(self: SQLiteEngine) -> None:
    """Connect as before, then create the `_id` accelerator and backfill those of every declared index.

    The physical indexes that the accelerators cover are dropped.
    """
    original("_connect_sync")(self)
    with self._lock:
        conn: sqlite3.Connection | None = self._connection
        if conn is None:
            return
        drop_outdated_accelerators(conn)
        ensure_accelerators(conn, [ID_KEY, *(key for _physical, key in catalogued_keys(conn))])
        drop_covered_physical_indexes(conn)


def _create_index_sync(  # the engine's own signature: it is called positionally
    self: SQLiteEngine,
    db_name: str,
    coll_name: str,
    keys: Any,
    unique: bool,
    name: str | None,
    sparse: bool,
    hidden: bool,
    collation: Any,
    partial_filter_expression: Any,
    expire_after_seconds: int | None,
    weights: dict[str, int] | None,
    default_language: str | None,
    language_override: str | None,
    min_value: float | None,
    max_value: float | None,
    bucket_size: float | None,
    max_time_ms: int | None,
    context: Any,
) -> str:
    """Create the index as before, then its accelerator if the key spec is plain (and drop what that covers)."""
    result: str = original("_create_index_sync")(
        self,
        db_name,
        coll_name,
        keys,
        unique,
        name,
        sparse,
        hidden,
        collation,
        partial_filter_expression,
        expire_after_seconds,
        weights,
        default_language,
        language_override,
        min_value,
        max_value,
        bucket_size,
        max_time_ms,
        context,
    )
    if not hidden and collation is None:
        try:
            normalized: object = normalize_index_keys(keys)
        except Exception:  # the index exists now, and an accelerator is optional: never fail the command
            return result
        with self._lock:
            conn = self._require_connection(context)
            ensure_accelerators(conn, [normalized])
            drop_covered_physical_indexes(conn)
    return result


def install() -> None:
    """Replace `_connect_sync`, `_create_index_sync` and the bucket expression that sorts are written with."""
    replace_method("_connect_sync", _connect_sync)
    replace_method("_create_index_sync", _create_index_sync)
    stock = getattr(sqlite_query.sort_type_expression_sql, ORIGINAL_ATTRIBUTE, sqlite_query.sort_type_expression_sql)
    setattr(bucket_sql, ORIGINAL_ATTRIBUTE, stock)
    sqlite_query.sort_type_expression_sql = bucket_sql  # `translate_sort_spec` reads it from the module
