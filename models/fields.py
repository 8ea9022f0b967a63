"""Reusable field types that validate at the edge, so bad input is a 422, not a database error.

Lengths are checked on the text as sent (what the contract states), then surrounding
whitespace is trimmed: the contract's limits are never looser than ours.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StringConstraints


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


ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(clean_text)]
Word = Annotated[str, StringConstraints(min_length=1, max_length=50), AfterValidator(clean_text)]
ChannelText = Annotated[str, StringConstraints(min_length=1, max_length=320), AfterValidator(clean_text)]
PostalCode = Annotated[str, StringConstraints(min_length=1, max_length=20), AfterValidator(clean_text)]
LongText = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(clean_long_text)]
Name = ShortText
IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text)]
ObjectIdHex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]
