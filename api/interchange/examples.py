"""Examples of the interchange formats for the contract."""

from typing import Any

VCARD_EXAMPLE = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:6b081b01192d8ee71ccc146a\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\n"
    "EMAIL;TYPE=work;PREF=1:ada@example.com\r\nREV:20261126T114153Z\r\nEND:VCARD\r\n"
)
JCARD_EXAMPLE: list[Any] = [
    "vcard",
    [
        ["version", {}, "text", "4.0"],
        ["uid", {}, "text", "6b081b01192d8ee71ccc146a"],
        ["fn", {}, "text", "Ada Lovelace"],
        ["email", {"type": "work", "pref": "1"}, "text", "ada@example.com"],
    ],
]
CSV_EXAMPLE = (
    "id,external_id,name,E-mail 1 - Label,E-mail 1 - Value\r\n"
    "6b081b01192d8ee71ccc146a,,Ada Lovelace,work,ada@example.com\r\n"
)
NDJSON_EXAMPLE = (
    '{"type":"tenant","tenant":"acme","exported_at":"2026-12-02T10:00:00Z"}\n'
    '{"type":"group","group":{"id":"6b081b01192d8ee71ccc1470","name":"Book club","member_count":1,"version":2}}\n'
    '{"type":"contact","contact":{"id":"6b081b01192d8ee71ccc146a","name":"Ada Lovelace","version":1,'
    '"group_ids":["6b081b01192d8ee71ccc1470"]}}\n'
    '{"type":"end","groups":1,"contacts":1,"versions":0}\n'
)


def text_content(media_type: str, example: str) -> dict[str, Any]:
    """An OpenAPI content entry for a text body (a file)."""
    return {media_type: {"schema": {"type": "string", "examples": [example]}}}


def jcard_content(many: bool) -> dict[str, Any]:
    """An OpenAPI content entry for one jCard, or an array of them."""
    schema: dict[str, Any] = {"type": "array", "items": {}, "description": "jCard (RFC 7095)"}
    if many:
        schema = {"type": "array", "items": schema, "description": "jCards (RFC 7095)", "examples": [[JCARD_EXAMPLE]]}
    else:
        schema["examples"] = [JCARD_EXAMPLE]
    return {"application/vcard+json": {"schema": schema}}


def file_content(media_type: str, example: str) -> dict[str, Any]:
    """An OpenAPI content entry for an uploaded file."""
    return {media_type: {"schema": {"type": "string", "format": "binary", "examples": [example]}}}
