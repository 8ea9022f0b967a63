"""The Contact document and the API schemas derived from it."""

import re
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from beanie import Document
from bson import ObjectId
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)
from pymongo import ASCENDING, IndexModel

from models.channels import Address, AddressView, ChannelView, EmailEntry, PhoneEntry, check_single_primary
from models.examples import CONTACT_EXAMPLE, STORED_CONTACT_EXAMPLE
from models.fields import IsoDate, LongText, Name, ObjectIdHex, ShortText, Word

Tag = Word
SERVER_FIELDS = ("id", "created_at", "updated_at", "version")


def new_contact_id() -> str:
    """A fresh, time-ordered id: an ObjectId rendered as 24 lower-case hex digits."""
    return str(ObjectId())


def utc_now() -> datetime:
    """The current UTC time at MongoDB's precision (milliseconds), so what we return is what we store."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def fold(text: str) -> str:
    """The case-insensitive form used for matching and sorting."""
    return text.casefold()


class ContactWrite(BaseModel):
    """The fields a client sets: the body of create and replace, an item of bulk create."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CONTACT_EXAMPLE]})

    name: Name = Field(description="Display name, 1-200 characters, trimmed.")
    given_name: ShortText | None = None
    family_name: ShortText | None = None
    nickname: ShortText | None = None
    company: ShortText | None = None
    job_title: ShortText | None = None
    notes: LongText | None = Field(default=None, description="Free text, up to 10,000 characters.")
    birthday: IsoDate | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50, description="Up to 50, unique ignoring case.")
    emails: list[EmailEntry] = Field(default_factory=list, max_length=20)
    phones: list[PhoneEntry] = Field(default_factory=list, max_length=20)
    addresses: list[Address] = Field(default_factory=list, max_length=20)

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, tags: list[str]) -> list[str]:
        if len({fold(tag) for tag in tags}) != len(tags):
            raise ValueError("tags must be unique, ignoring case")
        return tags

    _single_primary = field_validator("emails", "phones")(check_single_primary)


class ContactPatch(BaseModel):
    """A JSON merge patch (RFC 7396) of a contact: a field set to null is cleared, lists are replaced."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"company": "Babbage & Co", "nickname": None}]}
    )

    name: Name | None = None
    given_name: ShortText | None = None
    family_name: ShortText | None = None
    nickname: ShortText | None = None
    company: ShortText | None = None
    job_title: ShortText | None = None
    notes: LongText | None = None
    birthday: IsoDate | None = None
    tags: list[Tag] | None = Field(default=None, max_length=50)
    emails: list[EmailEntry] | None = Field(default=None, max_length=20)
    phones: list[PhoneEntry] | None = Field(default=None, max_length=20)
    addresses: list[Address] | None = Field(default=None, max_length=20)


WRITABLE_FIELDS = tuple(ContactWrite.model_fields)
LIST_FIELDS = ("tags", "emails", "phones", "addresses")
OUTPUT_FIELDS = (*SERVER_FIELDS[:1], *WRITABLE_FIELDS, *SERVER_FIELDS[1:])
_DIGITS = re.compile(r"\D")


def derived_keys(contact: ContactWrite) -> dict[str, Any]:
    """The hidden, case-folded keys that filters, sorting and search match against."""
    names = [contact.name, contact.given_name, contact.family_name, contact.nickname]
    terms = {fold(name) for name in names if name}
    terms |= {word for name in list(terms) for word in name.split()}
    terms |= {fold(email.value) for email in contact.emails}
    for phone in contact.phones:
        terms.add(phone.value.removeprefix("+"))
        national = _DIGITS.sub("", phone.original or "")
        if national:
            terms.add(national)
    return {
        "name_key": fold(contact.name),
        "company_key": fold(contact.company) if contact.company else None,
        "tag_keys": sorted({fold(tag) for tag in contact.tags}),
        "email_keys": sorted({fold(email.value) for email in contact.emails}),
        "search_terms": sorted(terms),
    }


def _scoped(*keys: str) -> IndexModel:
    return IndexModel([("tenant", ASCENDING), *((key, ASCENDING) for key in keys)])


class Contact(Document):
    """A contact as stored: the client's fields, server-set fields, and derived keys for queries."""

    id: str = Field(default_factory=new_contact_id)  # type: ignore[assignment]
    tenant: str
    name: str
    given_name: str | None = None
    family_name: str | None = None
    nickname: str | None = None
    company: str | None = None
    job_title: str | None = None
    notes: str | None = None
    birthday: str | None = None
    tags: list[str] = Field(default_factory=list)
    emails: list[dict[str, Any]] = Field(default_factory=list)
    phones: list[dict[str, Any]] = Field(default_factory=list)
    addresses: list[dict[str, Any]] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    version: int = 1
    name_key: str
    company_key: str | None = None
    tag_keys: list[str] = Field(default_factory=list)
    email_keys: list[str] = Field(default_factory=list)
    search_terms: list[str] = Field(default_factory=list)

    class Settings:
        name = "contacts"
        keep_nulls = False
        # Each listing is served by one of these (README: "Indexes"); every one starts with the tenant.
        indexes: ClassVar[list[IndexModel]] = [
            _scoped("created_at", "_id"),
            _scoped("updated_at", "_id"),
            _scoped("name_key", "_id"),
            _scoped("tag_keys", "created_at", "_id"),
            _scoped("tag_keys", "updated_at", "_id"),
            _scoped("tag_keys", "name_key", "_id"),
            _scoped("company_key", "created_at", "_id"),
            _scoped("company_key", "updated_at", "_id"),
            _scoped("company_key", "name_key", "_id"),
            _scoped("email_keys"),
            _scoped("phones.value"),
            _scoped("search_terms"),
        ]


def stored_fields(contact: ContactWrite) -> dict[str, Any]:
    """What a write stores: the client's fields in JSON form (absent when empty) plus derived keys."""
    fields = contact.model_dump(mode="json", exclude_none=True)
    return fields | {key: value for key, value in derived_keys(contact).items() if value is not None}


class ContactOut(BaseModel):
    """A contact as the API returns it; unset fields are null, unset lists empty."""

    model_config = ConfigDict(json_schema_extra={"examples": [STORED_CONTACT_EXAMPLE]})

    id: ObjectIdHex = Field(
        validation_alias=AliasChoices("_id", "id"), description="Server-generated, time-ordered id (24 hex digits)."
    )
    name: str
    given_name: str | None
    family_name: str | None
    nickname: str | None
    company: str | None
    job_title: str | None
    notes: str | None
    birthday: date | None
    tags: list[str]
    emails: list[ChannelView]
    phones: list[ChannelView]
    addresses: list[AddressView]
    created_at: datetime
    updated_at: datetime
    version: int = Field(ge=1, description="+1 on every change; the ETag is this number in quotes.")


class ContactListItem(BaseModel):
    """A contact in a listing: every field, or only `id` plus those named in `fields=`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [STORED_CONTACT_EXAMPLE, {"id": "6b081b01192d8ee71ccc146a", "name": "Ada Lovelace"}]
        }
    )

    id: ObjectIdHex
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    nickname: str | None = None
    company: str | None = None
    job_title: str | None = None
    notes: str | None = None
    birthday: date | None = None
    tags: list[str] | None = None
    emails: list[ChannelView] | None = None
    phones: list[ChannelView] | None = None
    addresses: list[AddressView] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int | None = None

    # No return annotation: pydantic would take it for the serialised schema and lose the fields.
    @model_serializer(mode="wrap")
    def _only_selected_fields(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        return {key: value for key, value in handler(self).items() if key in self.model_fields_set}


class ContactPage(BaseModel):
    """One page of contacts and the cursor of the next page (null on the last page)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [STORED_CONTACT_EXAMPLE], "next_cursor": None}]}
    )

    items: list[ContactListItem]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


def present(stored: dict[str, Any], fields: tuple[str, ...] = OUTPUT_FIELDS) -> dict[str, Any]:
    """The API view of a stored document: `id` plus `fields`, unset ones as null or []."""
    view: dict[str, Any] = {"id": stored["_id"]}
    for field in fields:
        if field != "id":
            view[field] = stored.get(field, [] if field in LIST_FIELDS else None)
    return view
