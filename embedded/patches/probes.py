"""Probes: the engine's "is this field ever ...?" queries, made index seeks where an accelerator allows.

- `_sort_requires_python` asked, uncached and on every sorted query, whether any row matching the filter
  holds an array, a sub-document or a tagged number in a sort field. The answer is almost always no, and
  finding that out read every matching row. That condition implies `bucket(field)` is "plain-object",
  "array" or "fallback". Adding that lets SQLite seek in an index that leads with bucket(field) (the `_id`
  accelerator, a bucket index), or, for any other field, after the filter's implied predicates (the tenant
  equality, say), in an accelerator such as (tenant, field, _id). When the implied predicates have already
  proved the bucket is "string" or "datetime", the answer is no without a query. The decisions and their order
  are those of `_sqlite_plan_heuristics.sort_requires_python`.
- Every write drops the collection's feature cache, and the next query repeats full-collection probes for
  each field it touches (top-level array? tagged value of type T? comparison type mismatch?). For a field
  of a declared key an index leads with its bucket, and each probe condition implies a bucket, which is
  added. Cache keys, cached values and callers are unchanged. Other fields keep the original probes.
"""

from collections.abc import Callable
from typing import Any

from mongoeco.core.bson_ordering import SQLITE_SORT_BUCKET_WEIGHTS
from mongoeco.core.codec import DocumentCodec
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.engines.sqlite_query import json_path_for_field, type_expression_sql

from embedded.patches.accelerators import bucket_seekable
from embedded.patches.common import (
    ARRAY_BUCKET,
    BOOL_BUCKET,
    FALLBACK_BUCKET,
    NUMBER_BUCKET,
    OBJECT_BUCKET,
    STRING_BUCKET,
    bucket_sql,
    exists_sql,
    original,
    path_literal,
    replace_method,
)
from embedded.patches.implied import implied_predicates
from embedded.patches.listed import translate_folded

# The bucket of a field holding a tagged value of this type, from the CASE of `sort_type_expression_sql`.
# Any other tagged type falls to its ELSE.
_TAGGED_TYPE_BUCKET = {
    tagged_type: SQLITE_SORT_BUCKET_WEIGHTS[tagged_type]
    for tagged_type in ("binary", "uuid", "objectid", "datetime", "timestamp", "regex")
}
# The bucket of each expected scalar type, and the json_type values that are not a mismatch for it.
_SCALAR_TYPE = {
    "number": (NUMBER_BUCKET, "'integer', 'real'"),
    "string": (STRING_BUCKET, "'text'"),
    "bool": (BOOL_BUCKET, "'true', 'false'"),
}


def _exists(engine: SQLiteEngine, sql: str, params: tuple[object, ...]) -> bool:
    return engine._require_connection().execute(sql, params).fetchone() is not None


def _sort_requires_python(self: SQLiteEngine, db_name: str, coll_name: str, plan: Any, sort: Any) -> bool:
    """The engine's decision, with the per-field probe answered by an accelerator or by the implied buckets."""
    if not sort:
        return False
    if self._plan_has_array_traversing_paths(db_name, coll_name, plan):
        return True
    where_sql, where_params = translate_folded(plan)
    implied = implied_predicates(self, db_name, coll_name, plan, where_sql, where_params)
    prefix = "".join(f"{clause} AND " for clause in implied.clauses)
    for name, _direction in sort:
        if self._field_traverses_array_in_collection(db_name, coll_name, name):
            return True
        if self._field_contains_tagged_bytes_in_collection(db_name, coll_name, name):
            return True
        if self._field_contains_tagged_undefined_in_collection(db_name, coll_name, name):
            return True
        if name in implied.fixed_bucket:
            continue  # every matching row has bucket "string", "datetime" or "number" here: the probe finds nothing
        path = path_literal(name)
        # Seek on bucket(name) itself where an index leads with it: the three buckets are almost always empty.
        # Otherwise the implied terms (the tenant, say) narrow the rows read.
        own_seek = bucket_seekable(self, db_name, coll_name, name)
        access = "" if own_seek else prefix
        # array -> "array"; a plain object (type '') -> "plain-object"; a tagged int64/decimal -> "fallback".
        if _exists(
            self,
            exists_sql(
                f"{access}{bucket_sql(name)} IN ({OBJECT_BUCKET}, {ARRAY_BUCKET}, {FALLBACK_BUCKET}) AND ({where_sql}) "
                f"AND (json_type(document, {path}) = 'array' OR (json_type(document, {path}) = 'object' "
                f"AND {type_expression_sql(name)} IN ('', 'int64', 'decimal', 'decimal128', 'decimal128_public')))"
            ),
            (db_name, coll_name, *([] if own_seek else implied.params), *where_params),
        ):
            return True
    return False


def _seek_probe(
    engine: SQLiteEngine,
    db_name: str,
    coll_name: str,
    field: str,
    feature_key: tuple[str, str, str],
    queries: Callable[[], list[tuple[str, tuple[object, ...]]]],
    stock: Callable[[], bool],
) -> bool:
    """A feature probe answered by index seeks (True if any of `queries` finds a row), cached as stock caches it.

    The stock probe runs instead when its answer is cached already, or when no index leads with bucket(field).
    """
    if feature_key in engine._collection_features_cache or not bucket_seekable(engine, db_name, coll_name, field):
        return stock()
    result = any(_exists(engine, sql, params) for sql, params in queries())
    engine._collection_features_cache[feature_key] = result
    return result


def _field_is_top_level_array_in_collection(self: SQLiteEngine, db_name: str, coll_name: str, field: str) -> bool:
    """Top-level array probe; an array is in bucket "array"."""
    return _seek_probe(
        self,
        db_name,
        coll_name,
        field,
        (db_name, coll_name, f"top_level_array:{field}"),
        lambda: [
            (
                exists_sql(
                    f"{bucket_sql(field)} = {ARRAY_BUCKET} AND json_type(document, {path_literal(field)}) = 'array'"
                ),
                (db_name, coll_name),
            )
        ],
        lambda: bool(original("_field_is_top_level_array_in_collection")(self, db_name, coll_name, field)),
    )


def _field_contains_tagged_value_type_in_collection(
    self: SQLiteEngine, db_name: str, coll_name: str, field: str, value_type: str
) -> bool:
    """Tagged-type probe; a tagged value of a type is in that type's bucket."""
    tagged_type_path = json_path_for_field(field) + f'."{DocumentCodec._MARKER}".{DocumentCodec._TYPE}'
    bucket = _TAGGED_TYPE_BUCKET.get(value_type, FALLBACK_BUCKET)
    return _seek_probe(
        self,
        db_name,
        coll_name,
        field,
        (db_name, coll_name, f"tagged_type:{field}:{value_type}"),
        lambda: [
            (
                exists_sql(f"{bucket_sql(field)} = ? AND json_extract(document, ?) = ?"),
                (db_name, coll_name, bucket, tagged_type_path, value_type),
            )
        ],
        lambda: bool(
            original("_field_contains_tagged_value_type_in_collection")(self, db_name, coll_name, field, value_type)
        ),
    )


def _field_has_comparison_type_mismatch_in_collection(
    self: SQLiteEngine, db_name: str, coll_name: str, field: str, expected_type: str
) -> bool:
    """Type-mismatch probe; a value of another JSON type is in another bucket than the expected type's."""

    def stock() -> bool:
        return bool(
            original("_field_has_comparison_type_mismatch_in_collection")(
                self, db_name, coll_name, field, expected_type
            )
        )

    scalar = _SCALAR_TYPE.get(expected_type)
    if scalar is None:
        return stock()
    bucket, allowed = scalar
    path = path_literal(field)
    mismatch = f"json_type(document, {path}) IS NOT NULL AND json_type(document, {path}) NOT IN ({allowed})"
    return _seek_probe(
        self,
        db_name,
        coll_name,
        field,
        (db_name, coll_name, f"comparison_mismatch:{field}:{expected_type}"),
        lambda: [
            (exists_sql(f"{bucket_sql(field)} {operator} ? AND {mismatch}"), (db_name, coll_name, bucket))
            for operator in ("<", ">")
        ],
        stock,
    )


def install() -> None:
    """Replace `_sort_requires_python` and the three feature probes."""
    replace_method("_sort_requires_python", _sort_requires_python)
    replace_method("_field_is_top_level_array_in_collection", _field_is_top_level_array_in_collection)
    replace_method("_field_contains_tagged_value_type_in_collection", _field_contains_tagged_value_type_in_collection)
    replace_method(
        "_field_has_comparison_type_mismatch_in_collection", _field_has_comparison_type_mismatch_in_collection
    )
