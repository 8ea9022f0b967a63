"""Listing parameters: sort, fields and cursor positions."""

from datetime import UTC, datetime

import pytest

from api.errors import MalformedRequest
from api.services.listing import ContactQuery, check_position, cursor_position, parse_fields, parse_sort
from models.contact import OUTPUT_FIELDS, ContactWrite, derived_keys


def test_fields_always_start_with_id_and_drop_repeats() -> None:
    assert parse_fields("name,tags,name,id") == ("id", "name", "tags")
    assert parse_fields(None) == OUTPUT_FIELDS


@pytest.mark.parametrize("fields", ["", ",", "name,tenant", "search_terms", "_id"])
def test_unknown_fields_are_refused(fields: str) -> None:
    with pytest.raises(MalformedRequest):
        parse_fields(fields)


def test_unknown_sort_names_the_allowed_ones() -> None:
    with pytest.raises(MalformedRequest, match="-updated_at"):
        parse_sort("email")


def test_positions_round_trip_through_the_cursor_form() -> None:
    stamp = datetime(2026, 11, 26, 12, 0, 0, 123000, tzinfo=UTC)
    stored = {"_id": "6b081b01192d8ee71ccc146a", "created_at": stamp, "name_key": "ada"}

    for sort, value in (("created_at", stamp), ("name", "ada")):
        position = cursor_position(ContactQuery(sort=sort), stored)
        assert check_position(sort, position) == [sort, value, stored["_id"]]


@pytest.mark.parametrize(
    "position",
    [
        ["name", "ada"],
        ["created_at", "ada", "6b081b01192d8ee71ccc146a"],
        ["name", {"$gt": ""}, "6b081b01192d8ee71ccc146a"],
        ["name", "ada", {"$gt": ""}],
        ["-name", "ada", "6b081b01192d8ee71ccc146a"],
    ],
)
def test_positions_that_do_not_fit_the_sort_are_refused(position: list[object]) -> None:
    with pytest.raises(MalformedRequest):
        check_position("name", position)


def test_search_terms_cover_names_words_emails_and_phone_digits() -> None:
    contact = ContactWrite.model_validate(
        {
            "name": "Zoë Ünlü",
            "family_name": "Ünlü",
            "emails": [{"value": "Zoe@Example.com"}],
            "phones": [{"value": "(415) 555-0123"}],
            "tags": ["VIP", "Berlin"],
        }
    )

    keys = derived_keys(contact)

    assert {"zoë ünlü", "zoë", "ünlü", "zoe@example.com", "14155550123", "4155550123"} <= set(keys["search_terms"])
    assert keys["tag_keys"] == ["berlin", "vip"]
    assert keys["name_key"] == "zoë ünlü"
