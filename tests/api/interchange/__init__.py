"""Shared for the interchange tests: the fixture files, a contact as the API returns it, and the model check."""

from pathlib import Path
from typing import Any

from api.interchange.rows import ImportedRow
from models.contact import CLIENT_FIELDS, ContactFields

FIXTURES = Path(__file__).parent / "fixtures"
PHOTO = "PHOTO;ENCODING=b;TYPE=JPEG:" + "/9j/4AAQSkZJRgABAQAAAQABAAD" * 12


def fixture_lines(name: str) -> list[str]:
    """The lines of a fixture file as a text file yields them (line ends and any BOM kept)."""
    with (FIXTURES / name).open(encoding="utf-8", newline="") as file:
        return list(file)


def api_contact(**overrides: Any) -> dict[str, Any]:
    """A contact as the API returns it (JSON mode), with text that needs escaping; keywords replace fields."""
    contact: dict[str, Any] = {
        "id": "6b081b01192d8ee71ccc146a",
        "name": "Ada Lovelace, Countess; of \\ Lovelace",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "nickname": "Ada, dear",
        "company": "Analytical Engines",
        "job_title": "Mathematician",
        "notes": "First line\nSecond line, with a comma; a semicolon and a \\ backslash",
        "birthday": "1815-12-10",
        "tags": ["math", "poetry, prose"],
        "emails": [
            {"value": "ada@example.com", "label": "work", "primary": True, "original": "ada@EXAMPLE.com"},
            {"value": "ada@home.example", "label": "best friend", "primary": False, "original": None},
        ],
        "phones": [
            {"value": "+14155550123", "label": "mobile", "primary": True, "original": "(415) 555-0123"},
            {"value": "+442079460958", "label": "work fax", "primary": False, "original": None},
        ],
        "addresses": [
            {
                "label": "home",
                "street": "12 St James's Square, Flat 2",
                "city": "London",
                "region": "England",
                "postal_code": "SW1Y 4JH",
                "country": "GB",
            },
        ],
        "external_id": None,
        "created_at": "2026-01-02T03:04:05.123Z",
        "updated_at": "2026-02-03T04:05:06.789Z",
        "version": 3,
        "vcard_properties": [
            "N:Lovelace;Ada;Augusta;Hon.;",
            "ORG:Analytical Engines;Research",
            "X-SOCIALPROFILE;TYPE=twitter:@ada",
            "item1.URL:https://example.com/ada",
            "item1.X-ABLabel:blog",
            PHOTO,
        ],
    }
    return contact | overrides


# The client fields an export carries over, compared after a round trip (external_id is checked on its own).
MAPPED_FIELDS = tuple(field for field in CLIENT_FIELDS if field != "external_id")


def contact_of(row: ImportedRow) -> dict[str, Any]:
    """The row's contact, which must have been read."""
    assert row.contact is not None, row.problem
    return row.contact


def assert_valid(contact: dict[str, Any]) -> None:
    """The mapped contact passes the model's rules (`id_hint` is for matching, not a model field)."""
    ContactFields.model_validate({key: value for key, value in contact.items() if key != "id_hint"})
