"""Opaque, tamper-evident keyset cursors: the last seen sort key, signed with HMAC-SHA256."""

import base64
import binascii
import hashlib
import hmac
from typing import Any

import orjson

from api.errors import MalformedRequest

_SIGNATURE_BYTES = 16


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(position: list[Any], secret: bytes) -> str:
    """The cursor that resumes a listing after `position` (the last item's sort key values)."""
    payload = orjson.dumps(position)
    return f"{_b64encode(payload)}.{_b64encode(_sign(payload, secret))}"


def decode_cursor(cursor: str, secret: bytes) -> list[Any]:
    """The position a cursor encodes; a forged, foreign or damaged cursor is a 400."""
    try:
        payload_text, signature_text = cursor.split(".")
        payload, signature = _b64decode(payload_text), _b64decode(signature_text)
    except (ValueError, binascii.Error) as error:
        raise MalformedRequest("The cursor is not valid; use a next_cursor returned by this API.") from error
    if not hmac.compare_digest(signature, _sign(payload, secret)):
        raise MalformedRequest("The cursor is not valid; use a next_cursor returned by this API.")
    position = orjson.loads(payload)
    if not isinstance(position, list):
        raise MalformedRequest("The cursor is not valid; use a next_cursor returned by this API.")
    return position
