"""Field types: each rule the contract states (pattern, enum, contains) agrees with the validator that enforces it."""

import re
import sys
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from models.channels import EmailEntry
from models.contact import ContactFields
from models.fields import (
    COUNTRY_CODES,
    NO_NUL,
    NOT_BLANK,
    PYTHON_WHITESPACE,
    CountryCode,
    IsoDate,
    LongText,
    ShortText,
    Timestamp,
)

# JSON cannot carry lone surrogates from a client that encodes it as UTF-8; the validator refuses them anyway.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
AWKWARD = st.sampled_from(["", " ", "\x00", "\t", "\x1f", "\u3000", "\ufeff", "a", "\u200b", "\x85"])


def accepts(annotation: Any, value: Any) -> bool:
    try:
        TypeAdapter(annotation).validate_python(value)
    except ValidationError:
        return False
    return True


def test_python_whitespace_is_exactly_what_str_strip_removes() -> None:
    assert "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()) == PYTHON_WHITESPACE


@given(st.lists(st.one_of(TEXT, AWKWARD), max_size=4).map("".join))
def test_the_not_blank_pattern_agrees_with_the_short_text_validator(text: str) -> None:
    if 1 <= len(text) <= 200:
        assert accepts(ShortText, text) == (re.fullmatch(NOT_BLANK.keywords["pattern"], text) is not None)


@given(st.lists(st.one_of(TEXT, AWKWARD), max_size=4).map("".join))
def test_the_no_nul_pattern_agrees_with_the_long_text_validator(text: str) -> None:
    assert accepts(LongText, text) == (re.fullmatch(NO_NUL.keywords["pattern"], text) is not None)


@pytest.mark.parametrize("code", ["GB", "gb", "ZZ", "G", "GBR", "00"])
def test_the_country_enum_agrees_with_the_validator(code: str) -> None:
    assert accepts(CountryCode, code) == (code in COUNTRY_CODES)
    assert len(COUNTRY_CODES) == 249


@given(st.lists(st.sampled_from([True, False, None]), max_size=4))
def test_the_contract_and_the_validator_agree_on_one_primary_email(primaries: list[bool | None]) -> None:
    emails = [
        {"value": f"a{number}@example.com"} | ({} if primary is None else {"primary": primary})
        for number, primary in enumerate(primaries)
    ]
    schema = ContactFields.model_json_schema()

    stated = jsonschema.Draft202012Validator(schema).is_valid({"name": "Ada", "emails": emails})

    assert stated == accepts(ContactFields, {"name": "Ada", "emails": emails})


@pytest.mark.parametrize(("text", "valid"), [("1815-12-10", True), ("1815-13-10", False), ("0", False), (0, False)])
def test_dates_are_written_yyyy_mm_dd(text: object, valid: bool) -> None:
    assert accepts(IsoDate, text) is valid


@pytest.mark.parametrize(
    ("text", "valid"), [("2026-11-26T12:00:00Z", True), ("2026-11-26T12:00:00", False), ("0.5", False)]
)
def test_timestamps_need_an_offset(text: str, valid: bool) -> None:
    assert accepts(Timestamp, text) is valid


def test_a_label_is_bounded_like_the_contract_says() -> None:
    class Labelled(BaseModel):
        entry: EmailEntry

    schema = Labelled.model_json_schema()["$defs"]["EmailEntry"]["properties"]

    assert schema["value"]["maxLength"] == 254
    assert not accepts(EmailEntry, {"value": "a" * 250 + "@example.com"})
