"""Inserts: the duplicate `_id` check of a `str` or ObjectId `_id` without deserialising the whole collection.

`insert_document_record` (and `$merge`) validate with `scan_payload_id=True`. The original then loads
every stored document to compare `bson_equality_key(_id)`, which catches BSON-equal ids stored under
different storage keys (`1` vs `1.0`, `bytes` vs `Binary`, ...). The wire `insert` command inserts one
document at a time, so loading a collection of n documents was O(n) per insert and O(n^2) in total.

The shortcut is exact. Any stored `_id` that is BSON-equal to a `str` is a `str` with the same text, and
the codec stores it as that JSON text (bucket "string"). Any stored `_id` BSON-equal to an ObjectId is an
ObjectId with the same bytes, which the codec stores tagged "objectid" with `str(normalize_object_id(_id))`
as its value (bucket "objectid"). So only the documents that `ID_CANDIDATES_SQL` returns through the `_id`
accelerator can collide. They get the same comparison and the same `DuplicateKeyError`. Then the original
runs without the payload scan, so the storage-key check and the unique secondary indexes still apply. Any
other `_id` type keeps the original scan.
"""

from typing import Any

from mongoeco._types._bson_objectid import is_object_id_like, normalize_object_id
from mongoeco.core.bson_ordering import bson_equality_key
from mongoeco.engines.sqlite import SQLiteEngine

from embedded.patches.common import (
    ID_CANDIDATES_SQL,
    OBJECTID_BUCKET,
    STRING_BUCKET,
    original,
    replace_method,
)


def _stored_sort_key(document_id: object) -> tuple[int, str] | None:
    """The sort bucket and sort value under which the codec stores `document_id`, for a str or an ObjectId."""
    if type(document_id) is str:
        return STRING_BUCKET, document_id
    if is_object_id_like(document_id):
        return OBJECTID_BUCKET, str(normalize_object_id(document_id))
    return None


def _validate_document_against_unique_indexes(
    self: SQLiteEngine,
    db_name: str,
    coll_name: str,
    document: dict[str, Any],
    *,
    exclude_storage_key: str | None = None,
    skip_id_check: bool = False,
    scan_payload_id: bool = False,
) -> None:
    """Check a `str` or ObjectId `_id` through the `_id` accelerator, then the original without the payload scan."""
    stored = _stored_sort_key(document["_id"]) if "_id" in document else None
    if scan_payload_id and not skip_id_check and stored is not None:
        document_id = document["_id"]
        wanted = bson_equality_key(document_id)
        unique_key_error: Any = self._unique_key_error  # untyped in mongoeco
        rows = self._require_connection().execute(ID_CANDIDATES_SQL, (db_name, coll_name, *stored)).fetchall()
        for storage_key, payload in rows:
            if exclude_storage_key is not None and storage_key == exclude_storage_key:
                continue
            existing = self._deserialize_document(payload)
            if "_id" in existing and bson_equality_key(existing["_id"]) == wanted:
                raise unique_key_error(f"Duplicate key: _id={document_id}", f"{db_name}.{coll_name}", document)
        scan_payload_id = False  # neither is ever numeric, so the original scans nothing more for them
    original("_validate_document_against_unique_indexes")(
        self,
        db_name,
        coll_name,
        document,
        exclude_storage_key=exclude_storage_key,
        skip_id_check=skip_id_check,
        scan_payload_id=scan_payload_id,
    )


def install() -> None:
    """Replace `_validate_document_against_unique_indexes`."""
    replace_method("_validate_document_against_unique_indexes", _validate_document_against_unique_indexes)
