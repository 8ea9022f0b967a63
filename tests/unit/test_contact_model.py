"""Contact model rules that need no database."""

import time

import pytest
from pydantic import ValidationError

from models.contact import ContactWrite, new_contact_id, utc_now


def test_ids_are_24_hex_and_time_ordered() -> None:
    first = new_contact_id()
    time.sleep(1.01)
    second = new_contact_id()

    assert len(first) == 24
    assert int(first, 16) >= 0
    assert first < second


def test_utc_now_has_millisecond_precision() -> None:
    assert utc_now().microsecond % 1000 == 0
    assert utc_now().utcoffset() is not None


@pytest.mark.parametrize("name", ["Ada", "  Zoë Ünlü  ", "李小龍", "x" * 200])
def test_valid_names_are_trimmed(name: str) -> None:
    assert ContactWrite(name=name).name == name.strip()


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "a\x00b"])
def test_invalid_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        ContactWrite(name=name)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        ContactWrite.model_validate({"name": "Ada", "created_at": "2020-01-01T00:00:00Z"})
