"""A contact: the fields a client sets (declared once, here), and the document that stores them."""

import re
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, TypedDict

from beanie import Document
from bson import ObjectId
from pydantic import BaseModel, Field, field_validator
from pymongo import ASCENDING, IndexModel

from models.channels import Address, EmailEntry, PhoneEntry, check_single_primary
from models.fields import AT_MOST_ONE_PRIMARY, ExternalId, IsoDate, LongText, Name, ShortText, Stated, Word

Tag = Word
SERVER_FIELDS = ("created_at", "updated_at", "version")
_DIGITS = re.compile(r"\D")
_ID = re.compile(r"[0-9a-f]{24}")


def new_contact_id() -> str:
    """A fresh, time-ordered id: an ObjectId rendered as 24 lower-case hex digits."""
    return str(ObjectId())


def is_contact_id(value: object) -> bool:
    """True for a well-formed contact id (24 lower-case hex digits)."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def utc_now() -> datetime:
    """The current UTC time at MongoDB's precision (milliseconds), so what we return is what we store."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def fold(text: str) -> str:
    """The case-insensitive form used for matching and sorting."""
    return text.casefold()


def check_unique_tags(tags: list[str]) -> list[str]:
    """Refuse tags that are equal ignoring case."""
    if len({fold(tag) for tag in tags}) != len(tags):
        raise ValueError("tags must be unique, ignoring case")
    return tags


class ContactFields(BaseModel):
    """The fields a client sets, with their rules: the one declaration every contact schema derives from."""

    name: Name = Field(description="Display name, 1-200 characters, trimmed.")
    given_name: ShortText | None = None
    family_name: ShortText | None = None
    nickname: ShortText | None = None
    company: ShortText | None = None
    job_title: ShortText | None = None
    notes: LongText | None = Field(default=None, description="Free text, up to 10,000 characters.")
    birthday: IsoDate | None = None
    tags: Annotated[list[Tag], Stated(uniqueItems=True)] = Field(
        default_factory=list, max_length=50, description="Up to 50, unique ignoring case."
    )
    emails: Annotated[list[EmailEntry], AT_MOST_ONE_PRIMARY] = Field(default_factory=list, max_length=20)
    phones: Annotated[list[PhoneEntry], AT_MOST_ONE_PRIMARY] = Field(default_factory=list, max_length=20)
    addresses: list[Address] = Field(default_factory=list, max_length=20)
    external_id: ExternalId | None = Field(
        default=None, description="Another system's id for this contact (a vCard UID): what an import matches on."
    )

    _unique_tags = field_validator("tags")(check_unique_tags)
    _single_primary = field_validator("emails", "phones")(check_single_primary)


CLIENT_FIELDS = tuple(ContactFields.model_fields)
LIST_FIELDS = tuple(name for name, field in ContactFields.model_fields.items() if field.default_factory is list)


class DerivedKeys(TypedDict):
    """Case-folded copies of a contact's fields that filters, sorting and search match against."""

    name_key: str
    company_key: str | None
    tag_keys: list[str]
    email_keys: list[str]
    phone_keys: list[str]
    search_terms: list[str]


DERIVED_KEYS = tuple(DerivedKeys.__annotations__)
# Present only on contacts a migration brought from an older shape: that shape's fields the contact does not take.
EXTENSION_FIELD = "extra"
# The vCard properties an import could not map to a field, kept verbatim so an export writes them again.
CARD_PROPERTIES = "vcard_properties"
# Where a contact is in its tenant's change feed, where it entered it, and what its last change was (README:
# "Sync and history").
CHANGE_FIELDS = ("owner", "seq", "first_seq", "deleted_at", "change")
# The groups a contact belongs to (api/groups): kept apart from its fields, so joining a group is no new version.
GROUPS_FIELD = "group_ids"
# Merges (api/merges): a source's lock while a merge is under way, the merges a survivor took, a tombstone's survivor.
MERGE_FIELDS = ("merging", "merge_ops", "merged_into")
HIDDEN_FIELDS = ("tenant", *DERIVED_KEYS, EXTENSION_FIELD, CARD_PROPERTIES, *CHANGE_FIELDS, GROUPS_FIELD, *MERGE_FIELDS)


def derived_keys(contact: ContactFields) -> DerivedKeys:
    """The derived keys of `contact`; None means the key is absent from the document."""
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
        "phone_keys": sorted({phone.value for phone in contact.phones}),  # E.164 already
        "search_terms": sorted(terms),
    }


def _scoped(*keys: str) -> IndexModel:
    return IndexModel([("tenant", ASCENDING), *((key, ASCENDING) for key in keys)])


class Contact(ContactFields, Document):
    """A contact as stored: its tenant, the client's fields, server-set fields, and the derived keys.

    Beanie declares the collection and its indexes; `api/contacts/repository.py` reads and writes it.
    """

    id: str = Field(default_factory=new_contact_id)  # type: ignore[assignment]
    tenant: str
    created_at: datetime
    updated_at: datetime
    version: int = Field(default=1, ge=1)
    name_key: str
    company_key: str | None = None
    tag_keys: list[str] = Field(default_factory=list)
    email_keys: list[str] = Field(default_factory=list)
    phone_keys: list[str] = Field(default_factory=list)
    search_terms: list[str] = Field(default_factory=list)
    extra: dict[str, Any] | None = Field(default=None, description="A migrated document's other fields, verbatim.")
    vcard_properties: list[str] | None = None
    # `tenant` is the tenant while the contact is live, and its trash partition (api/scope.py) once deleted;
    # `owner` is the tenant either way. `seq` is the contact's place in the tenant's change feed: each change
    # takes the next number, in the same write, so the feed can never disagree with the contacts.
    owner: str
    seq: int = Field(ge=1)
    first_seq: int | None = Field(default=None, description="The change number it was created with (webhooks).")
    deleted_at: datetime | None = None
    change: dict[str, Any] | None = Field(default=None, description="The last change: kind, key_id, patch.")
    group_ids: list[str] = Field(default_factory=list)
    merging: dict[str, Any] | None = Field(default=None, description="While merged away: into, op, expires.")
    merge_ops: list[str] = Field(default_factory=list)
    merged_into: str | None = None

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
            # A group's id names one tenant's group, so its members need no tenant in front (and the listings
            # that do not filter by group never consider these: the embedded database probes each tenant-led index).
            IndexModel([("group_ids", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("group_ids", ASCENDING), ("updated_at", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("group_ids", ASCENDING), ("name_key", ASCENDING), ("_id", ASCENDING)]),
            _scoped("email_keys"),
            _scoped("phone_keys"),
            _scoped("search_terms"),
            _scoped("external_id"),
            _scoped("deleted_at", "_id"),  # the trash, newest first (its `tenant` is the trash partition)
            IndexModel([("owner", ASCENDING), ("seq", ASCENDING)]),  # the change feed
        ]


def stored_fields(contact: ContactFields) -> dict[str, Any]:
    """What a write stores of `contact`: the client's fields in JSON form (absent when unset) and the derived keys."""
    fields = contact.model_dump(mode="json", exclude_none=True)
    return fields | {key: value for key, value in derived_keys(contact).items() if value is not None}
