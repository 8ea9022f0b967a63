"""Email and phone normalisation, table-driven."""

import pytest
from pydantic import ValidationError

from models.channels import EmailEntry, PhoneEntry, normalize_email, normalize_phone, set_default_phone_region


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("ada@example.com", "ada@example.com"),
        ("Ada@EXAMPLE.COM", "Ada@example.com"),
        ("  ada@example.com  ", "ada@example.com"),
        ("user@Bücher.DE", "user@bücher.de"),
        ("user@xn--bcher-kva.de", "user@bücher.de"),
        ("δοκιμή@παράδειγμα.δοκιμή", "δοκιμή@παράδειγμα.δοκιμή"),
    ],
)
def test_emails_normalise(text: str, normalized: str) -> None:
    assert normalize_email(text.strip()) == normalized


@pytest.mark.parametrize(
    "text", ["", "ada", "ada@", "@example.com", "ada@@example.com", "ada@exa mple.com", "a\x00@x.com"]
)
def test_invalid_emails_are_refused(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (the message is the library's)
        normalize_email(text)


@pytest.mark.parametrize(
    ("text", "region", "e164"),
    [
        ("(415) 555-0123", "US", "+14155550123"),
        ("+1 415 555 0123", "DE", "+14155550123"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("030 123456", "DE", "+4930123456"),
        ("03-1234-5678", "JP", "+81312345678"),
        ("+91 98765 43210", "US", "+919876543210"),
        ("+33 1 23 45 67 89", "US", "+33123456789"),
    ],
)
def test_phones_normalise_to_e164(text: str, region: str, e164: str) -> None:
    assert normalize_phone(text, region) == e164


@pytest.mark.parametrize("text", ["call me", "12", "+999 1234", "555-CALL-NOW-PLEASE-NOW"])
def test_unusable_phones_are_refused(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        normalize_phone(text, "US")


def test_the_default_region_applies_to_numbers_without_a_plus() -> None:
    try:
        set_default_phone_region("gb")
        assert PhoneEntry(value="020 7946 0958").value == "+442079460958"
    finally:
        set_default_phone_region("US")
    with pytest.raises(ValueError):  # noqa: PT011
        set_default_phone_region("XX")


def test_the_original_text_is_kept_only_when_it_differs() -> None:
    assert PhoneEntry(value="(415) 555-0123").original == "(415) 555-0123"
    assert PhoneEntry(value="+14155550123").original is None
    assert EmailEntry(value="ada@example.com").original is None
    assert EmailEntry(value="Ada@EXAMPLE.com").original == "Ada@EXAMPLE.com"


def test_a_round_tripped_entry_keeps_its_original() -> None:
    round_trip = PhoneEntry(value="+14155550123", original="(415) 555-0123")
    unrelated = PhoneEntry(value="+14155550123", original="+1 212 555 0199")

    assert round_trip.original == "(415) 555-0123"
    assert unrelated.original is None


def test_an_invalid_value_is_reported_at_value() -> None:
    with pytest.raises(ValidationError) as caught:
        PhoneEntry(value="nope")

    assert caught.value.errors()[0]["loc"] == ("value",)
