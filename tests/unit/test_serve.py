"""Serving helpers."""

import pytest

from api.main import operation_id
from api.serve import redact_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "mongodb://user:s3cret@db.example:27017/app?authSource=admin",
            "mongodb://db.example:27017/app?authSource=admin",
        ),
        ("mongodb+srv://u:p@cluster0.example.net/", "mongodb+srv://cluster0.example.net/"),
        ("mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017"),
    ],
)
def test_redact_url_drops_credentials(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_operation_ids_are_camel_case_names() -> None:
    class Route:
        name = "list_contacts"

    assert operation_id(Route()) == "listContacts"  # type: ignore[arg-type]
