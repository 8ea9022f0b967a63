"""Listing parameters: sort, fields and cursor positions."""

from datetime import UTC, datetime

import pytest

from api.contacts.listing import OUTPUT_FIELDS, check_position, cursor_payload, parse_fields, parse_sort
from api.errors import MalformedRequest


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
    contact_id = "6b081b01192d8ee71ccc146a"

    for sort, value in (("created_at", stamp), ("name", "ada")):
        payload = cursor_payload(sort, (value, contact_id))
        assert check_position(sort, payload) == (value, contact_id)


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
