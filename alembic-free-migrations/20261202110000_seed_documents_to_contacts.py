# mypy: allow-untyped-decorators
"""The seed service's documents become contacts of the default tenant.

The seed blog post's service (Sanic + Motor) inserted whatever JSON it was sent, as is:
`{"_id": ObjectId(...), "name": "masnun", "email": "...", ...any fields}`. Forward, each such document (an
ObjectId `_id`, or no `tenant`) becomes the contact the API stores today, as of this migration:

- its id is the ObjectId's 24 hex digits; `created_at` and `updated_at` are the ObjectId's time; version 1;
  tenant "default";
- `name`, `given_name`, `family_name`, `nickname`, `company`, `job_title`, `notes` and `tags` are taken when the
  API would accept them; `email` and `phone` become the one primary entry of `emails` and `phones`, normalised
  as the API normalises them (the text as sent kept as `original` when it differs);
- the derived keys are computed as the API computed them then;
- everything else is kept, verbatim, under `extra`: unknown fields, and known ones whose value the API would
  refuse (an invalid email, a number where text belongs). `extra` is present, possibly empty, on exactly the
  contacts this migration made; the API never returns it and never changes it.

A document that cannot become a contact (no usable `name`, or an `_id` that is no ObjectId) is moved, unchanged,
to the collection `contacts_unmigrated`. Nothing is lost: each document is written to its new place before the
old one is deleted, and a rerun skips what was written (same `_id`), so an interrupted run just runs again.

Backward, each contact carrying `extra` returns to the seed's flat shape under its ObjectId (`extra`'s fields,
then name, email, phone and the other fields set, the contact's own values winning), and the documents of
`contacts_unmigrated` return to `contacts`. Frozen here: the rules and keys as they were; never import models/.
"""

import logging
import os
import re
from typing import Annotated, Any

import phonenumbers
from beanie import Document, free_fall_migration
from bson import ObjectId
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

TENANT = "default"
EXTRA = "extra"
BATCH = 200  # ids per `$in`: the embedded database nests one SQL OR per id, and SQLite stops at depth 1000
DUPLICATE_KEY = 11000
SEED_DOCUMENTS = {"$or": [{"_id": {"$type": "objectId"}}, {"tenant": {"$exists": False}}]}
MIGRATED_CONTACTS = {EXTRA: {"$exists": True}, "_id": {"$type": "string"}}

logger = logging.getLogger("migrations.seed_documents_to_contacts")
Stored = dict[str, Any]


class SeedDocument(Document):
    """A document of the seed service: an ObjectId `_id` and any fields."""

    model_config = ConfigDict(extra="allow")

    class Settings:
        name = "contacts"


class UnmigratedSeedDocument(Document):
    """A seed document that cannot become a contact, kept unchanged beside the contacts."""

    model_config = ConfigDict(extra="allow")

    class Settings:
        name = "contacts_unmigrated"


# The API's rules for these fields at this migration (models/fields.py, models/channels.py).


def _checked(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    value.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, a ValueError
    return value


def _clean(value: str) -> str:
    value = _checked(value).strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def _unique_ignoring_case(tags: list[str]) -> list[str]:
    if len({tag.casefold() for tag in tags}) != len(tags):
        raise ValueError("tags must be unique, ignoring case")
    return tags


def _normalized_email(text: str) -> str:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None


def _normalized_phone(text: str) -> str:
    region = os.environ.get("DEFAULT_PHONE_REGION", "US").upper()  # the service's setting
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError(str(error)) from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number for its region")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_clean)]
Word = Annotated[str, StringConstraints(min_length=1, max_length=50), AfterValidator(_clean)]
EmailText = Annotated[str, StringConstraints(min_length=1, max_length=254), AfterValidator(_clean)]
PhoneText = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_clean)]
LongText = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(lambda text: _checked(text).strip())]


def _primary_entry(normalize: Any) -> Any:
    def entry(text: str) -> Stored:
        value = normalize(text)
        return {"value": value, "primary": True} | ({"original": text} if value != text else {})

    return entry


_SHORT = TypeAdapter(ShortText)
RULES: dict[str, TypeAdapter[Any]] = {
    "name": _SHORT,
    "given_name": _SHORT,
    "family_name": _SHORT,
    "nickname": _SHORT,
    "company": _SHORT,
    "job_title": _SHORT,
    "notes": TypeAdapter(LongText),
    "tags": TypeAdapter(Annotated[list[Word], Field(max_length=50), AfterValidator(_unique_ignoring_case)]),
    "email": TypeAdapter(Annotated[EmailText, AfterValidator(_primary_entry(_normalized_email))]),
    "phone": TypeAdapter(Annotated[PhoneText, AfterValidator(_primary_entry(_normalized_phone))]),
}
CLIENT_FIELDS = ("name", "given_name", "family_name", "nickname", "company", "job_title", "notes", "birthday",
                 "tags", "emails", "phones", "addresses")  # fmt: skip
LIST_FIELDS = ("tags", "emails", "phones", "addresses")
_NOT_DIGIT = re.compile(r"\D")


def derived_keys(contact: Stored) -> Stored:
    """The derived keys as the API computed them at this migration (models/contact.py: derived_keys)."""
    names = [contact.get(field) for field in ("name", "given_name", "family_name", "nickname")]
    terms = {name.casefold() for name in names if name}
    terms |= {word for name in list(terms) for word in name.split()}
    terms |= {email["value"].casefold() for email in contact["emails"]}
    for phone in contact["phones"]:
        terms.add(phone["value"].removeprefix("+"))
        national = _NOT_DIGIT.sub("", phone.get("original") or "")
        if national:
            terms.add(national)
    keys: Stored = {
        "name_key": contact["name"].casefold(),
        "tag_keys": sorted({tag.casefold() for tag in contact["tags"]}),
        "email_keys": sorted({email["value"].casefold() for email in contact["emails"]}),
        "search_terms": sorted(terms),
    }
    if contact.get("company"):
        keys["company_key"] = contact["company"].casefold()
    return keys


def to_contact(seed: Stored) -> Stored | None:
    """The contact the API stores for a seed document; None when it cannot be one (no usable name or id)."""
    oid = seed["_id"]
    if not isinstance(oid, ObjectId):
        return None
    taken: Stored = {}
    extra: Stored = {}
    for field, value in seed.items():
        if field == "_id":
            continue
        try:
            taken[field] = RULES[field].validate_python(value)
        except (KeyError, ValidationError):
            extra[field] = value
    if "name" not in taken:
        return None
    contact: Stored = {field: [] for field in LIST_FIELDS} | taken
    if email := contact.pop("email", None):
        contact["emails"] = [email]
    if phone := contact.pop("phone", None):
        contact["phones"] = [phone]
    created = oid.generation_time
    return (
        {"_id": str(oid), "tenant": TENANT}
        | contact
        | derived_keys(contact)
        | {"created_at": created, "updated_at": created, "version": 1, EXTRA: extra}
    )


def to_seed(contact: Stored) -> Stored:
    """A contact this migration made, back in the seed's flat shape (its own values win over `extra`'s)."""
    seed: Stored = {"_id": ObjectId(contact["_id"]), **contact.get(EXTRA, {})}
    for field in CLIENT_FIELDS:
        value = contact.get(field)
        if value is None or value == []:
            continue
        if field in ("emails", "phones") and len(value) == 1 and not value[0].get("label"):
            seed[field.removesuffix("s")] = value[0].get("original") or value[0]["value"]  # as the seed had it
        else:
            seed[field] = value
    return seed


async def insert_new(collection: AsyncCollection[Stored], documents: list[Stored], session: Any) -> None:
    """Insert the documents not already there (a rerun after an interruption finds some written)."""
    if not documents:
        return
    try:
        await collection.insert_many(documents, ordered=False, session=session)
    except BulkWriteError as error:
        if any(failure["code"] != DUPLICATE_KEY for failure in error.details["writeErrors"]):
            raise


async def move(
    source: AsyncCollection[Stored],
    query: Stored,
    convert: Any,
    target: AsyncCollection[Stored],
    elsewhere: AsyncCollection[Stored],
    session: AsyncClientSession,
) -> tuple[int, int]:
    """Move each document matching `query`: `convert(document)` to `target`, or unchanged to `elsewhere` if None.

    Each batch is written to its new place before it is deleted from `source`. Returns (converted, set aside).
    """
    converted = set_aside = 0
    while batch := await source.find(query, session=session).sort("_id", 1).limit(BATCH).to_list():
        outcomes = [(document, convert(document)) for document in batch]
        await insert_new(target, [new for _, new in outcomes if new is not None], session)
        await insert_new(elsewhere, [old for old, new in outcomes if new is None], session)
        await source.delete_many({"_id": {"$in": [document["_id"] for document in batch]}}, session=session)
        kept = sum(1 for _, new in outcomes if new is None)
        converted, set_aside = converted + len(batch) - kept, set_aside + kept
    return converted, set_aside


class Forward:
    @free_fall_migration(document_models=[SeedDocument, UnmigratedSeedDocument])
    async def seed_documents_to_contacts(self, session: AsyncClientSession) -> None:
        contacts = SeedDocument.get_pymongo_collection()
        unmigrated = UnmigratedSeedDocument.get_pymongo_collection()
        converted, set_aside = await move(contacts, SEED_DOCUMENTS, to_contact, contacts, unmigrated, session)
        logger.info("seed documents: %d became contacts, %d moved to contacts_unmigrated", converted, set_aside)


class Backward:
    @free_fall_migration(document_models=[SeedDocument, UnmigratedSeedDocument])
    async def contacts_to_seed_documents(self, session: AsyncClientSession) -> None:
        contacts = SeedDocument.get_pymongo_collection()
        unmigrated = UnmigratedSeedDocument.get_pymongo_collection()
        restored, _ = await move(contacts, MIGRATED_CONTACTS, to_seed, contacts, contacts, session)
        returned, _ = await move(unmigrated, {}, lambda document: document, contacts, contacts, session)
        logger.info("seed documents: %d restored from contacts, %d from contacts_unmigrated", restored, returned)
