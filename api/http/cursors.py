"""Opaque, tamper-evident keyset cursors: the last seen sort key, signed with HMAC-SHA256.

The signature covers the tenant too, so a cursor works only for the tenant it was issued to.
"""

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


def _sign(payload: bytes, secret: bytes, tenant: str) -> bytes:
    return hmac.new(secret, tenant.encode() + b"\0" + payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(position: list[Any], secret: bytes, tenant: str) -> str:
    """The cursor that resumes `tenant`'s listing after `position` (the last item's sort key values)."""
    payload = orjson.dumps(position)
    return f"{_b64encode(payload)}.{_b64encode(_sign(payload, secret, tenant))}"


def decode_cursor(cursor: str, secret: bytes, tenant: str) -> list[Any]:
    """The position a cursor encodes; a forged, damaged or other tenant's cursor is a 400."""
    try:
        payload_text, signature_text = cursor.split(".")
        payload, signature = _b64decode(payload_text), _b64decode(signature_text)
    except (ValueError, binascii.Error) as error:
        raise MalformedRequest("The cursor is not valid; use a next_cursor returned by this API.") from error
    if not hmac.compare_digest(signature, _sign(payload, secret, tenant)):
        raise MalformedRequest("The cursor is not valid; use a next_cursor returned by this API.")
    position = orjson.loads(payload)
    if not isinstance(position, list):
        raise MalformedRequest("The cursor is not valid; use a next_cursor returned by this API.")
    return position
