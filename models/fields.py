"""Reusable field types that validate at the edge, so bad input is a 422, not a database error.

Lengths are checked on the text as sent (what the contract states), then surrounding
whitespace is trimmed: the contract's limits are never looser than ours.
"""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


def reject_nul(value: str) -> str:
    """Refuse NUL characters and lone surrogates: no contact field has a use for them."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be valid Unicode text") from None
    return value


def clean_text(value: str) -> str:
    """Trimmed text that is not blank."""
    value = reject_nul(value).strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def clean_long_text(value: str) -> str:
    """Trimmed text, possibly empty."""
    return reject_nul(value).strip()


def _iso_date_text(value: Any) -> Any:
    # pydantic would also take 0 or "0" (a Unix time) as a date; the contract says YYYY-MM-DD.
    if isinstance(value, date) or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339_text(value: Any) -> Any:
    # pydantic would also take "0.5" (a Unix time); the contract says an RFC 3339 date-time with offset.
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC3339.fullmatch(value)):
        return value
    raise ValueError("must be a date-time with an offset, like 2026-11-26T12:00:00Z")


class Stated:
    """JSON Schema keywords for the contract that state what a validator checks; they are not run themselves.

    Use it in `Annotated[...]` beside the validator; `tests/models/test_fields.py` checks that the two agree.
    """

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(self.keywords)
        return json_schema


# What str.strip() removes (the characters for which str.isspace() is true); JSON Schema's \s is another set.
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_WHITESPACE_CLASS = "".join(f"\\u{ord(character):04x}" for character in PYTHON_WHITESPACE)
NO_NUL = Stated(pattern=r"^[^\u0000]*$")
NOT_BLANK = Stated(pattern=rf"^[^\u0000]*[^\u0000{_WHITESPACE_CLASS}][^\u0000]*$")

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(clean_text), NOT_BLANK]
Word = Annotated[str, StringConstraints(min_length=1, max_length=50), AfterValidator(clean_text), NOT_BLANK]
# RFC 5321's limit on an address, which email-validator applies.
EmailText = Annotated[str, StringConstraints(min_length=1, max_length=254), AfterValidator(clean_text), NOT_BLANK]
# E.164 numbers have at most 15 digits; this leaves room for spaces, punctuation and an extension.
PhoneText = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(clean_text), NOT_BLANK]
# A search prefix: a blank one would match everything (and cost a walk through the tenant's contacts).
SearchText = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(clean_text), NOT_BLANK]
PostalCode = Annotated[str, StringConstraints(min_length=1, max_length=20), AfterValidator(clean_text), NOT_BLANK]
LongText = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(clean_long_text), NO_NUL]
Name = ShortText
# Another system's id of a contact (a vCard UID, a CRM's key): what an import matches on.
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(clean_text), NOT_BLANK]


def _representable(value: datetime) -> datetime:
    # BSON stores UTC; a time whose UTC form falls outside years 1-9999 cannot be stored or compared.
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_representable)]
# At most one entry of a list of emails or phones is primary (`check_single_primary` in models/channels.py).
AT_MOST_ONE_PRIMARY = Stated(
    contains={"type": "object", "properties": {"primary": {"const": True}}, "required": ["primary"]},
    minContains=0,
    maxContains=1,
)
COUNTRY_CODES = tuple(sorted(country.alpha_2 for country in pycountry.countries))


def country_code(code: str) -> str:
    """An ISO 3166-1 alpha-2 code as the standard writes it (upper case)."""
    if code not in COUNTRY_CODES:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code in upper case, like GB")
    return code


CountryCode = Annotated[str, AfterValidator(country_code), Stated(enum=list(COUNTRY_CODES))]
ObjectIdHex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]
