"""Projected reads: a document is decoded only in the fields that a plain inclusion projection keeps.

For a read with a projection, the engine deserialises each stored document whole (the codec decodes every
value: each datetime, each nested list and document) and then projects it. Decoding a document is decoding
each of its top-level values on its own (`DocumentCodec.decode` of a dict maps its values and keeps their
order, and a stored document is never a tagged value itself), so for a projection that only includes
top-level fields (`{"name": 1, "seq": 1}`, `_id` kept or not) the engine now decodes just those fields, in the
document's order, and projects that. The projection is stock's, on a document holding everything it keeps:
the same result. Any other projection (exclusions, dotted paths, operators, the codec's marker key) reads as
before.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from mongoeco.core.codec import DocumentCodec
from mongoeco.core.json_compat import json_loads
from mongoeco.core.projections import _ProjectionExecutor
from mongoeco.engines.sqlite import SQLiteEngine

from embedded.patches.common import is_plain_field, original, replace_method


def included_fields(projection: object) -> frozenset[str] | None:
    """The top-level fields a plain inclusion projection keeps (with `_id`); None for any other projection."""
    if not isinstance(projection, dict) or not projection:
        return None
    kept = {"_id"}
    for name, flag in projection.items():
        if not is_plain_field(name) or name == DocumentCodec._MARKER:
            return None
        if name == "_id" and type(flag) in (int, bool) and flag in (0, 1):
            continue
        if type(flag) not in (int, bool) or flag != 1:
            return None
        kept.add(name)
    return frozenset(kept)


def _deserialize_fields(engine: SQLiteEngine, payload: str, fields: frozenset[str]) -> dict[str, Any]:
    """`_deserialize_document(payload)` restricted to `fields`, decoding only those."""
    parsed = json_loads(payload)
    kept = {name: value for name, value in parsed.items() if name in fields}
    if DocumentCodec._MARKER not in payload:
        return kept
    decoded: dict[str, Any] = engine._decode_codec_payload(kept, preserve_bson_wrappers=True)
    return decoded


def _project_sql_scan_rows(
    self: SQLiteEngine, rows: Iterable[tuple[str]], semantics: Any, reader: Any
) -> Iterator[Any]:
    """Stock's projected scan, decoding only the kept fields of a plain inclusion projection."""
    fields = included_fields(semantics.projection)
    if fields is None:
        stock: Iterator[Any] = original("_project_sql_scan_rows")(self, rows, semantics, reader)
        return stock
    executor: Any = _ProjectionExecutor  # untyped in mongoeco
    project = executor(semantics.projection, selector_filter=semantics.filter_spec, dialect=semantics.dialect)
    return (project(_deserialize_fields(self, payload, fields)) for (payload,) in rows)


def install() -> None:
    """Replace `_project_sql_scan_rows`."""
    replace_method("_project_sql_scan_rows", _project_sql_scan_rows)
