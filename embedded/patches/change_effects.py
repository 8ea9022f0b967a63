"""Insert change records: the inserted document is serialised once, not a second time inside its change record.

`SQLiteEngine._insert_document_sync` serialises the document it stores (`serialized_document =
self._serialize_document(document)`), then appends its change to the outbox with `full_document=
deepcopy(document)`. `append_change` serialises the whole change, `{operation_type, db_name, coll_name,
document_key, full_document, update_description}`, for its fingerprint (and, when change events are published,
its payload): the document a second time, about 6% of an import's server time.

`_serialize_document` is `json_dumps_compact(codec.encode(value))`. `encode` of a dict validates it (a check
of each value alone, whatever its depth) and encodes each value alone, so the change's `full_document` slot
holds the encoding of `deepcopy(document)`, which is the encoding of `document`; and JSON writes a nested
value exactly as it writes it alone. So that serialised change is the same change serialised with
`full_document: None`, with `null` in that slot replaced by `serialized_document`. This patch does just
that, for the one `insert` change that `_insert_document_sync` appends for the document it serialised
first; every other change (and every other caller) is serialised as before.

The stored document itself is serialised from an encoding when its inserter made one (`made_serialization`):
batch_inserts converts each document to its internal form as `DocumentCodec.to_internal` does, by encoding it
and decoding that, and keeps the encoding (`common.encoded_as`). Encoding the internal form again gives the
same value, so the engine need not encode the document a second time.
"""

import threading
from collections.abc import Callable
from typing import Any

import mongoeco.engines.sqlite as sqlite_module
from mongoeco.core.codec import DocumentCodec
from mongoeco.core.json_compat import json_dumps_compact
from mongoeco.engines.sqlite import SQLiteEngine

from embedded.patches.common import encoded, original, replace_method

# How the serialised change ends when its `update_description` is None (an insert's always is).
_TAIL = ',"full_document":null,"update_description":null}'
_CHANGE_KEYS = ("operation_type", "db_name", "coll_name", "document_key", "full_document", "update_description")

_stock_append_change: Callable[..., Any] = sqlite_module._sqlite_append_change  # type: ignore[attr-defined]


class _Inserting(threading.local):
    """The document that `_insert_document_sync` is inserting on this thread, and its serialisation."""

    document: object = None
    serialized: str | None = None


_inserting = _Inserting()


def spliced(serialize: Callable[[Any], str], full_document: object, serialized: str) -> Callable[[Any], str]:
    """`serialize`, answering for an insert change that holds `full_document` (serialised as `serialized`)."""

    def serialize_change(change: Any) -> str:
        if type(change) is dict and tuple(change) == _CHANGE_KEYS and change["full_document"] is full_document:
            without = serialize(change | {"full_document": None})
            if without.endswith(_TAIL):
                return f'{without[: -len(_TAIL)]},"full_document":{serialized},"update_description":null}}'
        return serialize(change)

    return serialize_change


def _insert_document_sync(
    self: SQLiteEngine, db_name: str, coll_name: str, document: Any, *args: Any, **kwargs: Any
) -> Any:
    """The original, with this thread noting which document it inserts."""
    previous = _inserting.document, _inserting.serialized
    _inserting.document, _inserting.serialized = document, None
    try:
        return original("_insert_document_sync")(self, db_name, coll_name, document, *args, **kwargs)
    finally:
        _inserting.document, _inserting.serialized = previous


def made_serialization(engine: SQLiteEngine, document: object) -> str | None:
    """`engine._serialize_document(document)`, from the encoding its inserter made (`common.encoded_as`), if any.

    That method is `json_dumps_compact(self._codec.encode(document), sort_keys=False)`.
    """
    if document is encoded.document and encoded.encoding is not None and engine._codec is DocumentCodec:
        return json_dumps_compact(encoded.encoding, sort_keys=False)
    return None


def _serialize_document(self: SQLiteEngine, document: Any) -> str:
    """The original (or `made_serialization`); the first serialisation of the document being inserted is kept
    for its change record."""
    serialized = made_serialization(self, document)
    if serialized is None:
        serialized = original("_serialize_document")(self, document)
    if document is _inserting.document and _inserting.serialized is None:
        _inserting.serialized = serialized
    return serialized


def _append_change(
    conn: Any, *, operation_type: str, full_document: Any, serialize_document: Any, **kwargs: Any
) -> Any:
    """`append_change`; the insert of the document being inserted reuses that document's serialisation."""
    serialized = _inserting.serialized
    if operation_type == "insert" and full_document is not None and serialized is not None:
        _inserting.serialized = None  # one insert change per document
        serialize_document = spliced(serialize_document, full_document, serialized)
    return _stock_append_change(
        conn,
        operation_type=operation_type,
        full_document=full_document,
        serialize_document=serialize_document,
        **kwargs,
    )


def install() -> None:
    """Wrap `_insert_document_sync` and `_serialize_document`; `sqlite.py`'s `append_change` gets the splice."""
    replace_method("_insert_document_sync", _insert_document_sync)
    replace_method("_serialize_document", _serialize_document)
    sqlite_module._sqlite_append_change = _append_change  # type: ignore[attr-defined]
