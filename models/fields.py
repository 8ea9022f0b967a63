"""Reusable field types that validate at the edge, so bad input is a 422, not a database error."""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def reject_nul(value: str) -> str:
    """Refuse NUL characters, which no contact field has a use for."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(reject_nul),
]
PhoneText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[0-9+()./ x#*-]+$"),
    AfterValidator(reject_nul),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=10_000),
    AfterValidator(reject_nul),
]
Name = ShortText
ObjectIdHex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]
