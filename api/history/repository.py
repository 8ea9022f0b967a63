"""The only code that touches the contact versions: earlier versions of contacts, newest first."""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection

from api.database import collection_of, delete_in_batches, walk
from api.scope import Scope
from models.contact import CARD_PROPERTIES, CLIENT_FIELDS
from models.contact_version import ContactVersion

Document = dict[str, Any]
VERSION_FIELDS = (*CLIENT_FIELDS, CARD_PROPERTIES)
MERGE_DETAILS = ("merged_from", "merged_into", "sources")  # what a merge's change records (api/merges)


def _versions() -> AsyncCollection[Document]:
    return collection_of(ContactVersion)


def version_of(contact: Document) -> Document:
    """The history entry of the version a stored contact holds now."""
    change = contact.get("change") or {}
    return {
        "_id": f"{contact['_id']}.{contact['version']}",
        "tenant": contact["owner"],
        "contact_id": contact["_id"],
        "version": contact["version"],
        "at": contact["updated_at"],
        "kind": change.get("kind", "created" if contact["version"] == 1 else "updated"),
        "key_id": change.get("key_id"),
        "patch": change.get("patch"),
        **{detail: change[detail] for detail in MERGE_DETAILS if detail in change},
        "fields": {field: contact[field] for field in VERSION_FIELDS if field in contact},
    }


async def archive(contact: Document) -> None:
    """Keep the version `contact` holds, just before a change replaces it.

    Written first and idempotent: a version never changes, so writing it again (a retried or failed change)
    writes the same entry, and a change that fails after it leaves only a correct entry behind.
    """
    entry = version_of(contact)
    await _versions().replace_one({"_id": entry["_id"]}, entry, upsert=True)


async def archive_many(contacts: list[Document]) -> None:
    """`archive` for several contacts, in one round trip."""
    entries = [version_of(contact) for contact in contacts]
    await _versions().bulk_write([ReplaceOne({"_id": e["_id"]}, e, upsert=True) for e in entries], ordered=False)


async def find_version(scope: Scope, contact_id: str, version: int) -> Document | None:
    """An archived version of a contact, or None."""
    return await _versions().find_one({"tenant": scope.tenant, "contact_id": contact_id, "version": version})


async def find_before(scope: Scope, contact_id: str, before: int, limit: int) -> list[Document]:
    """Up to `limit` archived versions of a contact older than version `before`, newest first."""
    where = {"tenant": scope.tenant, "contact_id": contact_id, "version": {"$lt": before}}
    return await _versions().find(where).sort("version", -1).limit(limit).to_list()


async def delete_contact_versions(tenant: str, contact_id: str) -> None:
    """Forget a purged contact's history."""
    await _versions().delete_many({"tenant": tenant, "contact_id": contact_id})


async def purge_older_than(cutoff: datetime) -> int:
    """Delete versions made before `cutoff` (HISTORY_RETENTION); how many."""
    return await delete_in_batches(_versions(), {"at": {"$lt": cutoff}})


async def erase(scope: Scope) -> int:
    """Delete every version of the tenant's contacts; how many."""
    return await delete_in_batches(_versions(), {"tenant": scope.tenant})


def every_version(scope: Scope) -> AsyncIterator[Document]:
    """Every version of the tenant's contacts (the tenant export)."""
    return walk(_versions(), {"tenant": scope.tenant})
