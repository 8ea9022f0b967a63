"""Cursor encoding: opaque, round-trips, and refuses anything it did not sign."""

import pytest

from api.errors import MalformedRequest
from api.http.cursors import decode_cursor, encode_cursor

SECRET = b"unit-test-secret"


def test_cursor_round_trips() -> None:
    position = ["6b081b01192d8ee71ccc146a", "Ada", 3]

    assert decode_cursor(encode_cursor(position, SECRET, "acme"), SECRET, "acme") == position


def test_cursor_does_not_show_its_content_as_plain_text() -> None:
    assert "6b081b01192d8ee71ccc146a" not in encode_cursor(["6b081b01192d8ee71ccc146a"], SECRET, "acme")


def test_cursor_from_another_secret_is_refused() -> None:
    with pytest.raises(MalformedRequest):
        decode_cursor(encode_cursor(["x"], b"another-secret", "acme"), SECRET, "acme")


def test_tampered_payload_is_refused() -> None:
    payload, signature = encode_cursor(["aaaa"], SECRET, "acme").split(".")
    forged = encode_cursor(["bbbb"], SECRET, "acme").split(".")[0]

    with pytest.raises(MalformedRequest):
        decode_cursor(f"{forged}.{signature}", SECRET, "acme")
    assert decode_cursor(f"{payload}.{signature}", SECRET, "acme") == ["aaaa"]


@pytest.mark.parametrize("cursor", ["", ".", "a.b.c", "!!!.???", "no-dot"])
def test_garbage_is_refused(cursor: str) -> None:
    with pytest.raises(MalformedRequest):
        decode_cursor(cursor, SECRET, "acme")


def test_a_cursor_of_another_tenant_is_refused() -> None:
    cursor = encode_cursor(["x"], SECRET, "acme")

    with pytest.raises(MalformedRequest):
        decode_cursor(cursor, SECRET, "globex")
