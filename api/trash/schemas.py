"""The shapes of the trash."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.contacts.examples import STORED_CONTACT_EXAMPLE
from api.contacts.schemas import ContactOut

TRASHED_EXAMPLE = STORED_CONTACT_EXAMPLE | {"version": 2, "deleted_at": "2026-12-02T10:00:00Z"}


class TrashedContact(ContactOut):
    """A deleted contact, as it was when deleted, and when that was."""

    model_config = ConfigDict(json_schema_extra={"examples": [TRASHED_EXAMPLE]})

    deleted_at: datetime


class TrashPage(BaseModel):
    """Deleted contacts, most recently deleted first, and the cursor of the next page (null on the last)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [TRASHED_EXAMPLE], "next_cursor": None}]})

    items: list[TrashedContact]
    next_cursor: str | None


class TrashParams(BaseModel):
    """Page size and position."""

    limit: int = Field(default=20, ge=1, le=100, description="Contacts per page, 1-100.")
    cursor: str | None = Field(default=None, max_length=1024, description="`next_cursor` of the previous page.")
