"""Shared pieces: installing a replacement method, and the SQL expressions behind the engine's sort order.

The engine orders a field `f` by `bucket(f)`, a `CASE json_type(...)` expression giving the BSON type's
sort bucket (`sort_type_expression_sql`), and then by `value(f)`, the stored JSON value or the value of a
tagged one such as a datetime (`value_expression_sql`). The accelerator indexes are built on exactly these
expressions, and every predicate the patches add is written in them, so that SQLite matches the two.
"""

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from mongoeco.core.bson_ordering import SQLITE_SORT_BUCKET_WEIGHTS
from mongoeco.core.codec import DocumentCodec
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.engines.sqlite_query import json_path_for_field, value_expression_sql

from embedded.patches import ORIGINAL_ATTRIBUTE

# BSON sort buckets (their values are pinned in __init__).
NUMBER_BUCKET = SQLITE_SORT_BUCKET_WEIGHTS["number"]
STRING_BUCKET = SQLITE_SORT_BUCKET_WEIGHTS["string"]
OBJECT_BUCKET = SQLITE_SORT_BUCKET_WEIGHTS["plain-object"]
ARRAY_BUCKET = SQLITE_SORT_BUCKET_WEIGHTS["array"]
BOOL_BUCKET = SQLITE_SORT_BUCKET_WEIGHTS["bool"]
DATETIME_BUCKET = SQLITE_SORT_BUCKET_WEIGHTS["datetime"]
FALLBACK_BUCKET = SQLITE_SORT_BUCKET_WEIGHTS["fallback"]

OBJECTID_BUCKET = SQLITE_SORT_BUCKET_WEIGHTS["objectid"]

_originals: dict[str, Callable[..., Any]] = {}


def replace_method(name: str, replacement: Callable[..., Any], owner: type = SQLiteEngine) -> None:
    """Install `replacement` as `owner.<name>`, remembering the original for `original()` and the pins."""
    current = getattr(owner, name)
    current = getattr(current, ORIGINAL_ATTRIBUTE, current)  # never wrap a replacement
    _originals[f"{owner.__qualname__}.{name}"] = current
    replacement.__name__ = name
    replacement.__qualname__ = f"{owner.__qualname__}.{name}"
    setattr(replacement, ORIGINAL_ATTRIBUTE, current)
    setattr(owner, name, replacement)


def original(name: str, owner: type = SQLiteEngine) -> Callable[..., Any]:
    """The `owner` method that `replace_method(name, ...)` replaced."""
    return _originals[f"{owner.__qualname__}.{name}"]


def is_plain_field(field: object) -> bool:
    """A top-level field name that is safe to inline in SQL (no dots, operators or quotes)."""
    return (
        isinstance(field, str)
        and field != ""
        and "." not in field
        and not field.startswith("$")
        and "'" not in field
        and '"' not in field
    )


def bucket_sql(field: str) -> str:
    """The BSON sort bucket of `field`: the value of stock `sort_type_expression_sql(field)`, computed with one
    `json_type` (and, for a document, its `$mongoeco` type tag) instead of up to eleven JSON functions.

    Stock's CASE asks `json_type(...)` and `json_extract(<tag>)` again for each bucket it tries, and SQLite 3.40
    parses the whole document for each call. A tag is only ever found under a JSON object, so taking the JSON
    type first and the tag only for an object gives the same bucket for every value
    (`tests/embedded/test_sort_buckets.py` compares both). Every index on a bucket evaluates this on each write.
    """
    path = path_literal(field)
    tag_path = f'{json_path_for_field(field)}."{DocumentCodec._MARKER}".{DocumentCodec._TYPE}'
    tag = "json_extract(document, '" + tag_path.replace("'", "''") + "')"
    weight = SQLITE_SORT_BUCKET_WEIGHTS
    tagged = " ".join(
        f"WHEN '{name}' THEN {weight[name]}"
        for name in ("binary", "uuid", "objectid", "datetime", "timestamp", "regex")
    )
    return (
        f"CASE COALESCE(json_type(document, {path}), 'null') WHEN 'null' THEN {weight['null']} "
        f"WHEN 'integer' THEN {weight['number']} WHEN 'real' THEN {weight['number']} "
        f"WHEN 'text' THEN {weight['string']} "
        f"WHEN 'array' THEN {weight['array']} WHEN 'true' THEN {weight['bool']} WHEN 'false' THEN {weight['bool']} "
        f"WHEN 'object' THEN (CASE WHEN {tag} IS NULL THEN {weight['plain-object']} "
        f"ELSE (CASE {tag} {tagged} ELSE {weight['fallback']} END) END) ELSE {weight['fallback']} END"
    )


def value_sql(field: str) -> str:
    """The engine's sort-value expression for `field`."""
    return value_expression_sql(field)


def exists_sql(condition: str) -> str:
    """SELECT whether a document of the collection (bound as `?, ?`) meets `condition`.

    `condition` is built only from the engine's SQL expressions and from field names that `is_plain_field`
    accepted or that are quoted as the engine quotes them. Every value is a bound parameter.
    """
    return f"SELECT 1 FROM documents WHERE db_name = ? AND coll_name = ? AND {condition} LIMIT 1"  # noqa: S608


def path_literal(field: str) -> str:
    """The JSON path of `field` as a quoted SQL literal, written as the engine writes it."""
    return "'" + json_path_for_field(field).replace("'", "''") + "'"


# Documents whose stored `_id` has sort bucket `?` and sort value `?`: for a `str` `_id`, the string bucket and
# its text; for an ObjectId, the objectid bucket and its hex. Only they can be BSON-equal to that `_id`.
# An equality seek in the `_id` accelerator (no INDEXED BY: without the index it is slow, but still right).
ID_CANDIDATES_SQL = (
    "SELECT storage_key, document FROM documents "  # noqa: S608 (the engine's own expressions; values are bound)
    f"WHERE db_name = ? AND coll_name = ? AND {bucket_sql('_id')} = ? "
    f"AND {value_expression_sql('_id')} = ?"
)


class _Encoded(threading.local):
    """A document whose `DocumentCodec.encode` its inserter made already, on this thread: set by batch_inserts
    (`encoded_as`), read by change_effects, which serialises the document from it."""

    document: object = None
    encoding: object = None


encoded = _Encoded()


@contextlib.contextmanager
def encoded_as(document: object, encoding: object) -> Iterator[None]:
    """While inserting `document` on this thread, serialise it from `encoding`, its `DocumentCodec.encode`.

    batch_inserts converts each document to its internal form, which encodes it first; encoding that internal
    form again gives the same value, so the engine need not encode it a second time.
    """
    previous = encoded.document, encoded.encoding
    encoded.document, encoded.encoding = document, encoding
    try:
        yield
    finally:
        encoded.document, encoded.encoding = previous
