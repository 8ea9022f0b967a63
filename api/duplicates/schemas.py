"""The shapes of the duplicate finder: groups of likely duplicates, and a dismissal."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.contacts.examples import STORED_CONTACT_EXAMPLE
from api.contacts.schemas import ContactOut

MAX_SHOWN = 20  # contacts shown per group; `size` counts them all
Reason = Literal["email", "phone", "name", "company"]
GROUP_EXAMPLE: dict[str, Any] = {
    "score": 0.97,
    "reasons": ["email", "name"],
    "size": 2,
    "contacts": [STORED_CONTACT_EXAMPLE, STORED_CONTACT_EXAMPLE | {"id": "6b081b01192d8ee71ccc146b", "version": 3}],
}


class DuplicateGroup(BaseModel):
    """Contacts that are likely one person: how likely (0-1, its strongest link), why, and the contacts."""

    model_config = ConfigDict(json_schema_extra={"examples": [GROUP_EXAMPLE]})

    score: float = Field(ge=0, le=1)
    reasons: list[Reason] = Field(description="What links its contacts: a shared email or phone, close names, ...")
    size: int = Field(ge=2, description="How many contacts the group has.")
    contacts: list[ContactOut] = Field(description=f"Its contacts by id, the first {MAX_SHOWN}.")


class DuplicatePage(BaseModel):
    """A page of duplicate groups (ordered by their first contact's id), and the next page's cursor."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [GROUP_EXAMPLE], "next_cursor": None}]})

    items: list[DuplicateGroup]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


class DuplicateParams(BaseModel):
    """Page size and position."""

    limit: int = Field(default=10, ge=1, le=50, description="Groups per page, 1-50.")
    cursor: str | None = Field(default=None, max_length=1024, description="`next_cursor` of the previous page.")


class Dismissal(BaseModel):
    """Two contacts that are not one person."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"ids": ["6b081b01192d8ee71ccc146a", "6b081b01192d8ee71ccc146b"]}]},
    )

    ids: list[Annotated[str, StringConstraints(max_length=64)]] = Field(min_length=2, max_length=2)
