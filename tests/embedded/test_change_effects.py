"""An insert's change record reuses the document's serialisation (embedded/patches/change_effects.py, and its
hunk in the upstream diff): the serialised change is the one stock mongoeco writes, character for character.

Here the splice is compared with stock's own serialiser on documents of every BSON type the codec tags, and
with keys, numbers and text that JSON writes in more than one way. `test_deferred_dispatch.py` checks the
same end to end: a change stream reads the inserted documents back from these records, on stock, patched
and diffed mongoeco alike.
"""

import datetime
import re
import uuid
from collections import OrderedDict
from copy import deepcopy
from decimal import Decimal
from typing import Any

import pytest
from bson import SON, Binary, Code, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp
from mongoeco import AsyncMongoClient
from mongoeco.core.codec import DocumentCodec
from mongoeco.engines.sqlite import SQLiteEngine

from embedded.patches import ORIGINAL_ATTRIBUTE
from embedded.patches.batch_inserts import _engine_document, encode_document
from embedded.patches.change_effects import made_serialization, spliced
from embedded.patches.common import encoded_as

STOCK_SERIALIZE = getattr(SQLiteEngine._serialize_document, ORIGINAL_ATTRIBUTE, SQLiteEngine._serialize_document)

DOCUMENTS: dict[str, dict[str, Any]] = {
    "contact": {
        "_id": "6b1140401f2ac91841753095",
        "tenant": "acme",
        "name": "Zoë “Quotes” O'Brien \\ / \n\t",
        "tags": ["a", "b"],
        "emails": [{"value": "z@example.com", "label": "work", "primary": True}],
        "created_at": datetime.datetime(2026, 12, 3, 10, 11, 12, 997000),
        "seq": 1,
        "change": {"kind": "imported", "key_id": None},
    },
    "numbers": {"_id": 1, "i": 0, "neg": -0.0, "big": 2**62, "f": 1e-300, "int64": Int64(7), "nan": float("nan")},
    "tagged": {
        "_id": ObjectId("65000000000000000000abcd"),
        "decimal": Decimal128("1.10"),
        "py_decimal": Decimal("2.5"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "binary": Binary(b"\x00\xff", 0),
        "bytes": b"\x01\x02",
        "regex": Regex("^a", "i"),
        "code": Code("x = 1"),
        "timestamp": Timestamp(1, 2),
        "min": MinKey(),
        "max": MaxKey(),
        "aware": datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
    },
    "lookalike": {"_id": {"$mongoeco": {"type": "datetime", "value": "x"}}, "nested": {"$mongoeco": 1}},
    "keys": {"_id": "k", "": 1, "a.b": 2, "$x": 3, "é": {"null": None, "full_document": None}},
    "deep": {"_id": "d", "a": [[[{"b": [1, {"c": [None, True, False]}]}]]]},
}


def _change(document: dict[str, Any]) -> dict[str, Any]:
    """The change `append_change` serialises for the insert of `document` (its keys in its order)."""
    return {
        "operation_type": "insert",
        "db_name": "db",
        "coll_name": "contacts",
        "document_key": {"_id": deepcopy(document["_id"])},
        "full_document": deepcopy(document),
        "update_description": None,
    }


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_spliced_change_is_the_stock_serialisation(name: str) -> None:
    serialize = SQLiteEngine(path=":memory:")._serialize_document
    document = DOCUMENTS[name]
    change = _change(document)
    serialized = serialize(document)
    assert spliced(serialize, change["full_document"], serialized)(change) == serialize(change)


def test_any_other_value_is_serialised_as_before() -> None:
    serialize = SQLiteEngine(path=":memory:")._serialize_document
    document = DOCUMENTS["contact"]
    change = _change(document)
    reuse = spliced(serialize, change["full_document"], "WRONG")
    other = change | {"full_document": deepcopy(document)}  # not the document the insert serialised
    updated = change | {"update_description": {"updatedFields": {}}}
    assert reuse(other) == serialize(other)
    assert reuse(updated) == serialize(updated)
    assert reuse(document) == serialize(document)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_batched_document_is_stored_as_stock_serialises_it(name: str) -> None:
    # batch_inserts converts a document as `to_internal` does and keeps the encoding; the engine then serialises
    # the internal document from that encoding. It must be the text stock makes of the same document.
    engine = SQLiteEngine(path=":memory:")
    collection = AsyncMongoClient(engine).get_database("db").get_collection("contacts")
    internal, encoding = _engine_document(collection, deepcopy(DOCUMENTS[name]), None)

    with encoded_as(internal, encoding):
        served = made_serialization(engine, internal)

    assert served is not None
    assert served == STOCK_SERIALIZE(engine, DocumentCodec.to_internal(deepcopy(DOCUMENTS[name])))


def test_the_encoding_serialises_only_the_document_it_was_made_for() -> None:
    engine = SQLiteEngine(path=":memory:")
    document, other = DocumentCodec.to_internal({"_id": 1}), DocumentCodec.to_internal({"_id": 1})

    with encoded_as(document, {"made": "before"}):
        assert made_serialization(engine, document) == '{"made":"before"}'
        assert made_serialization(engine, other) is None
    assert made_serialization(engine, document) is None


INVALID: dict[str, object] = {
    "a key that is not text": {"_id": 1, "a": {"b": {2: "x"}}},
    "a set": {"_id": 1, "a": [1, {"b": {1, 2}}]},
    "an integer past int64": {"_id": 1, "n": [2**63]},
    "two faults, in order": {"_id": 1, "a": [{1: "x"}, {"b": {1}}], "c": {2: "y"}},
}
MORE: dict[str, object] = {
    "son inside": {"_id": 1, "s": SON([("b", 1), ("a", [SON([("x", None)])])])},
    "tuple, bytearray and a dict subclass": {"_id": 1, "t": (1, "a"), "b": bytearray(b"\x01"), "o": OrderedDict(a=1)},
    "datetimes in lists": {"_id": 1, "d": [[datetime.datetime(2026, 1, 1)], {"at": datetime.datetime(1970, 1, 1)}]},
    "not a dict": [{"a": 1}, (1, 2)],
}


@pytest.mark.parametrize("name", [*DOCUMENTS, *MORE])
def test_a_document_encodes_as_stock_encodes_it(name: str) -> None:
    document = DOCUMENTS.get(name) or MORE[name]
    assert repr(encode_document(deepcopy(document))) == repr(DocumentCodec.encode(deepcopy(document)))


@pytest.mark.parametrize("name", INVALID)
def test_an_invalid_document_fails_as_stock_fails(name: str) -> None:
    with pytest.raises((TypeError, OverflowError)) as stock:
        DocumentCodec.encode(deepcopy(INVALID[name]))
    with pytest.raises(type(stock.value), match=re.escape(str(stock.value))):
        encode_document(deepcopy(INVALID[name]))
