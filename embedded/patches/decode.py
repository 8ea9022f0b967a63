"""Decoding: `inspect.signature()` of the codec's `decode`, computed once per callable instead of per document.

`_decode_codec_payload` runs for every stored document that holds a tagged value (any datetime does). It
asked `inspect.signature(codec.decode)` each time whether `decode` takes `preserve_bson_wrappers`, which
was more than half of the cost of deserialising such a document.
"""

import inspect
from typing import Any

from mongoeco.engines.sqlite import SQLiteEngine

from embedded.patches.common import replace_method

_accepts_preserve: dict[Any, bool] = {}


def _accepts_preserve_bson_wrappers(decode: Any) -> bool:
    accepts = _accepts_preserve.get(decode)
    if accepts is None:
        try:
            parameters: Any = inspect.signature(decode).parameters
        except (TypeError, ValueError):
            parameters = {}
        accepts = _accepts_preserve[decode] = "preserve_bson_wrappers" in parameters
    return accepts


def _decode_codec_payload(self: SQLiteEngine, payload: object, *, preserve_bson_wrappers: bool) -> dict[str, Any]:
    """The original decode call, with the signature check cached."""
    decode = self._codec.decode
    result: dict[str, Any]
    if _accepts_preserve_bson_wrappers(decode):
        result = decode(payload, preserve_bson_wrappers=preserve_bson_wrappers)
    else:
        result = decode(payload)
    return result


def install() -> None:
    """Replace `_decode_codec_payload`."""
    replace_method("_decode_codec_payload", _decode_codec_payload)
