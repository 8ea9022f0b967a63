"""Merging contacts into one, all or nothing: lock the sources, write the survivor, tombstone the sources.

The survivor's write is conditional on the version read (and on `If-Match`), so a PATCH racing with the merge
either lands first (the merge reads again, or answers 412 under `If-Match`) or meets the new version (412).
The sources are locked before it (api/merges/locks.py), so none of them can change unseen. History gets one
entry per contact: the survivor's "updated" version with `merged_from` (and where each value came from), each
source's "deleted" one with `merged_into`. The change feed shows the survivor's change and the sources' tombstones.
"""

from dataclasses import dataclass
from typing import Any

from api.contacts import repository, writes
from api.contacts.schemas import ContactOut, ContactWrite
from api.contacts.service import ContactBeingMerged, StaleContact, current_contact, validated
from api.errors import Conflict, UnprocessableContent, ValidationIssue
from api.groups import counts
from api.merges import locks, rules
from api.merges.schemas import MergeRequest
from api.preconditions import Precondition
from api.scope import Scope
from models.contact import CLIENT_FIELDS, GROUPS_FIELD, is_contact_id, new_contact_id, stored_fields

RETRIES = 5
Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Merged:
    """The survivor after the merge (or as it would be), the contacts merged into it, and provenance."""

    contact: ContactOut
    merged: list[str]
    sources: dict[str, Any]


async def merge(
    scope: Scope, survivor_id: str, request: MergeRequest, precondition: Precondition | None, db_timeout: float
) -> Merged:
    """Merge `request.sources` into the contact `survivor_id` (or, on a dry run, show the result)."""
    source_ids = _checked(survivor_id, request)
    for _ in range(RETRIES):
        survivor = await current_contact(scope, survivor_id)
        if precondition is not None and not precondition.allows(survivor["version"]):
            raise StaleContact
        sources = await _sources(scope, source_ids)
        combined = rules.combine(survivor, sources, request.fields)
        contact = validated(ContactWrite, combined.fields)
        if request.dry_run:
            kept = {key: value for key, value in survivor.items() if key not in CLIENT_FIELDS}
            return Merged(repository.to_record(kept | stored_fields(contact)), source_ids, combined.sources)
        op = new_contact_id()
        if not await locks.lock(scope, sources, survivor_id, op, locks.expiry(len(sources), db_timeout)):
            continue  # a source changed since it was read: read them all again
        held = set(survivor.get(GROUPS_FIELD, ()))
        joined = list(dict.fromkeys(g for source in sources for g in source.get(GROUPS_FIELD, ()) if g not in held))
        async with counts.changing(scope, joined) as members:
            updated = await writes.replace(
                scope,
                survivor,
                contact,
                kind="updated",
                properties=combined.properties,
                details={"merged_from": source_ids, "sources": combined.sources},
                additions={"merge_ops": [op], GROUPS_FIELD: joined},
            )
            if updated is not None:
                members.update(joined)
        if updated is None:
            await locks.unlock(scope, source_ids, op)
            if precondition is not None:
                raise StaleContact
            continue
        await writes.trash_many(scope, sources, merged_into=survivor_id, merge_op=op)
        return Merged(updated, source_ids, combined.sources)
    raise Conflict("The contacts are changing too often to merge; retry.")


def _checked(survivor_id: str, request: MergeRequest) -> list[str]:
    """The sources; a 422 for a malformed id, the survivor, an id listed twice, or a choice of an unknown field."""
    issues = []
    for index, source in enumerate(request.sources):
        if not is_contact_id(source):
            detail = "Not a contact id."
        elif source == survivor_id:
            detail = "The contact merged into cannot be merged into itself."
        elif source in request.sources[:index]:
            detail = "Listed twice."
        else:
            continue
        issues.append(ValidationIssue(location="body", pointer=f"/from/{index}", detail=detail))
    candidates = {survivor_id, *request.sources}
    for field, chosen in request.fields.items():
        if field not in rules.CHOOSABLE_FIELDS:
            detail = f"Not a field of a contact; choose among: {', '.join(rules.CHOOSABLE_FIELDS)}."
            issues.append(ValidationIssue(location="body", pointer=f"/fields/{field}", detail=detail))
        elif chosen not in candidates:
            detail = "Not one of the contacts being merged."
            issues.append(ValidationIssue(location="body", pointer=f"/fields/{field}", detail=detail))
    if issues:
        raise UnprocessableContent(issues)
    return request.sources


async def _sources(scope: Scope, source_ids: list[str]) -> list[Document]:
    """The live sources as stored, in request order; 422 for one that is not live, 409 for one being merged."""
    for _ in range(2):
        found = {document["_id"]: document for document in await repository.find_documents(scope, source_ids)}
        if len(found) == len(source_ids):
            return [found[source] for source in source_ids]
        issues, settled = [], False
        for index, source in enumerate(source_ids):
            if source in found:
                continue
            stored = await repository.find_owned(scope, source)
            if stored is not None and scope.is_merging(stored["tenant"]):
                if not await locks.settle(scope, stored):
                    raise ContactBeingMerged
                settled = True
                continue
            detail = (
                "Merged already."
                if stored is not None and stored.get("merged_into")
                else "No live contact has this id."
            )
            issues.append(ValidationIssue(location="body", pointer=f"/from/{index}", detail=detail))
        if issues:
            raise UnprocessableContent(issues)
        if not settled:
            break
    raise ContactBeingMerged
