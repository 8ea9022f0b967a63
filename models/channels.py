"""Ways to reach a contact (emails, phones, addresses), normalised with well-kept libraries.

Emails go through `email-validator` (domain lower-cased, IDN handled), phones through
`phonenumbers` into E.164. Where the normalised value differs from what the client sent,
the client's text is kept as `original`.
"""

from typing import Any, Self

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from models.fields import CountryCode, EmailText, PhoneText, PostalCode, ShortText, Word, reject_nul

_phone_region = "US"

Label = Word


def set_default_phone_region(region: str) -> None:
    """The region (ISO 3166-1 alpha-2) assumed for phone numbers written without `+`."""
    global _phone_region
    if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown phone region {region!r}")
    _phone_region = region.upper()


def normalize_email(text: str) -> str:
    """The address in normal form; raises ValueError when it is not a valid address."""
    try:
        return validate_email(reject_nul(text), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None


def normalize_phone(text: str, region: str | None = None) -> str:
    """The number in E.164; raises ValueError when it cannot be a phone number."""
    try:
        number = phonenumbers.parse(reject_nul(text), region or _phone_region)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"not a phone number: {error._msg}") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number for its region")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


ORIGINAL = "What the client wrote, when it differs from the normalised `value`."


class _Channel(BaseModel):
    """A way to reach a contact; subclasses bound `value` and `original` and say how to normalise them."""

    model_config = ConfigDict(extra="forbid")

    value: str
    label: Label | None = None
    primary: StrictBool = False
    original: str | None = Field(default=None, description=ORIGINAL)

    @classmethod
    def normalize(cls, text: str) -> str:
        """The normal form of `text`; raises ValueError when it is not valid."""
        raise NotImplementedError

    @field_validator("value")
    @classmethod
    def _check_value(cls, value: str) -> str:
        cls.normalize(value)  # raised here, the error points at `value`
        return value

    @model_validator(mode="after")
    def _normalize(self) -> Self:
        normalized = self.normalize(self.value)
        if normalized != self.value:
            self.original = self.value
        elif self.original is not None and not self._normalizes_to(self.original, normalized):
            self.original = None  # keep a round-tripped item's original only if it is really the same
        if self.original == normalized:
            self.original = None
        self.value = normalized
        return self

    @classmethod
    def _normalizes_to(cls, text: str, normalized: str) -> bool:
        try:
            return cls.normalize(text) == normalized
        except ValueError:
            return False


class EmailEntry(_Channel):
    """An email address with an optional label; at most one per contact is primary."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"value": "ada@example.com", "label": "work", "primary": True}]}
    )

    value: EmailText
    original: EmailText | None = Field(default=None, description=ORIGINAL)

    @classmethod
    def normalize(cls, text: str) -> str:
        return normalize_email(text)


class PhoneEntry(_Channel):
    """A phone number, stored in E.164, with an optional label; at most one is primary."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"value": "+442079460958", "label": "office", "primary": True, "original": "020 7946 0958"}]
        }
    )

    value: PhoneText
    original: PhoneText | None = Field(default=None, description=ORIGINAL)

    @classmethod
    def normalize(cls, text: str) -> str:
        return normalize_phone(text)


class Address(BaseModel):
    """A postal address; `country` is an ISO 3166-1 alpha-2 code."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "label": "home",
                    "street": "12 St James's Square",
                    "city": "London",
                    "region": "England",
                    "postal_code": "SW1Y 4JH",
                    "country": "GB",
                }
            ]
        },
    )

    label: Label | None = None
    street: ShortText | None = None
    city: ShortText | None = None
    region: ShortText | None = None
    postal_code: PostalCode | None = None
    country: CountryCode | None = None


def check_single_primary(entries: list[Any]) -> list[Any]:
    """Refuse a list with more than one primary entry."""
    if sum(1 for entry in entries if entry.primary) > 1:
        raise ValueError("at most one entry may be primary")
    return entries


class ChannelView(BaseModel):
    """An email or phone as returned: the normalised `value`, and the client's text when it differed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"value": "+442079460958", "label": "office", "primary": True, "original": "020 7946 0958"}]
        }
    )

    value: str
    label: str | None = None
    primary: bool = False
    original: str | None = None


class AddressView(BaseModel):
    """A postal address as returned."""

    model_config = ConfigDict(json_schema_extra=Address.model_config["json_schema_extra"])

    label: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
