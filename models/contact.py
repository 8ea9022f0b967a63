"""The Contact document and the API schemas derived from it."""

from datetime import UTC, datetime
from typing import Any, ClassVar, Self

import pymongo
from beanie import Document
from bson import ObjectId
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from models.fields import LongText, Name, ObjectIdHex, PhoneText, ShortText


def new_contact_id() -> str:
    """A fresh, time-ordered id: an ObjectId rendered as 24 lower-case hex digits."""
    return str(ObjectId())


def utc_now() -> datetime:
    """The current UTC time at MongoDB's precision (milliseconds), so what we return is what we store."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


CONTACT_EXAMPLE: dict[str, Any] = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+44 20 7946 0958",
    "company": "Analytical Engines Ltd",
    "notes": "Met at the Difference Engine demo.",
}
STORED_CONTACT_EXAMPLE: dict[str, Any] = {
    "id": "6b081b01192d8ee71ccc146a",
    **CONTACT_EXAMPLE,
    "created_at": "2026-11-26T11:41:53.787Z",
    "updated_at": "2026-11-26T11:41:53.787Z",
}


class ContactFields(BaseModel):
    """The fields a client may set on a contact."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CONTACT_EXAMPLE]})

    name: Name = Field(description="Display name, 1-200 characters, trimmed.")
    email: EmailStr | None = Field(default=None, max_length=320)
    phone: PhoneText | None = None
    company: ShortText | None = None
    notes: LongText | None = None


class ContactCreate(ContactFields):
    """Request body of `POST /contacts` and `POST /new`."""


class Contact(Document):
    """A contact as stored in the `contacts` collection; `_id` is a string ObjectId."""

    id: str = Field(default_factory=new_contact_id)  # type: ignore[assignment]
    name: str
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    notes: str | None = None
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)

    class Settings:
        name = "contacts"
        keep_nulls = False
        indexes: ClassVar[list[Any]] = [
            pymongo.IndexModel([("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]),
        ]

    @classmethod
    def from_fields(cls, fields: ContactFields) -> Self:
        """A new, unsaved contact holding the client's fields and fresh server-set ones."""
        now = utc_now()
        return cls(**fields.model_dump(exclude_none=True), created_at=now, updated_at=now)


class ContactOut(ContactFields):
    """A contact as the API returns it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [STORED_CONTACT_EXAMPLE]})

    id: ObjectIdHex = Field(description="Server-generated, time-ordered id (24 hex digits).")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_document(cls, contact: Contact) -> "ContactOut":
        """The API view of a stored contact."""
        return cls.model_construct(**contact.model_dump(exclude={"revision_id"}))


class ContactPage(BaseModel):
    """One page of contacts and the cursor of the next page (null on the last page)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [STORED_CONTACT_EXAMPLE], "next_cursor": None}]}
    )

    items: list[ContactOut]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


class SeedContact(BaseModel):
    """The seed service's flat contact: `id` plus whatever fields are set, no nulls."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": "582ceb772c608731477f5384", "name": "masnun"}]})

    id: ObjectIdHex
    name: str
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    notes: str | None = None


class SeedInserted(BaseModel):
    """The seed service's answer to `POST /new`."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"inserted_id": "582ceb772c608731477f5384"}]})

    inserted_id: ObjectIdHex
