"""Importing a vCard or CSV file: rows in batches, each matched on its external id, created or updated.

Re-importing the same file creates nothing new: a row matches the contact with its external id (the vCard UID,
our CSV's `external_id`, or a digest of the row when it has neither), or the contact whose id it carries (a file
this API exported). A row that cannot be read or is not a valid contact gets its problem; the others go on.
"""

import asyncio
import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from api.contacts import repository, writes
from api.contacts.schemas import ContactWrite
from api.contacts.service import validated
from api.errors import ApiError, Conflict, UnprocessableContent, ValidationIssue
from api.http.problems import problem_of
from api.interchange.rows import DIGEST_PREFIX, ImportedRow
from api.scope import Scope
from models.contact import CARD_PROPERTIES, ContactFields, new_contact_id, stored_fields

BATCH = writes.MAX_INSERT_BATCH  # rows read and matched together (and created in as few insert batches)
MAX_ROWS = 100_000


@dataclass(slots=True)
class _Valid:
    number: int
    contact: ContactWrite
    properties: list[str]
    id_hint: str | None


@dataclass(frozen=True, slots=True)
class _Failed:
    number: int
    error: ApiError


@dataclass(slots=True)
class ImportReport:
    """A result per row, in file order, and how many rows had each outcome."""

    results: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("created", "updated", "unchanged", "failed"), 0)
    )

    def add(self, number: int, outcome: str, contact_id: str | None = None, error: ApiError | None = None) -> None:
        status = {"created": 201, "updated": 200, "unchanged": 200}.get(outcome, error.status if error else 422)
        result: dict[str, Any] = {"number": number, "status": status, "outcome": outcome}
        if contact_id is not None:
            result["id"] = contact_id
        if error is not None:
            result["problem"] = problem_of(error).model_dump(mode="json", exclude_none=True)
        self.results.append(result)
        self.counts[outcome] += 1

    def as_json(self) -> dict[str, Any]:
        """The report as the API answers it."""
        return self.counts | {"results": sorted(self.results, key=lambda result: result["number"])}


class _Storing:
    """The import's new contacts being stored: one batch at a time, in order, while the next batch is matched.

    A batch's ids are reserved before it is stored, so the rows that follow can name them; a row that must read
    one of them back waits for its batch (`landed`). Each batch takes its change numbers when its turn comes,
    just before it is stored, as any write does (api/changes/counters.py).
    """

    def __init__(self) -> None:
        self._storing: asyncio.Future[list[str]] | None = None

    async def landed(self) -> None:
        """Wait for the batch being stored (its failure is raised here)."""
        storing, self._storing = self._storing, None
        if storing is not None:
            await storing

    async def store(self, scope: Scope, rows: list[_Valid]) -> list[str]:
        """Start storing `rows` as new contacts, once the batch before them has landed; their ids, as soon as
        the first of them are on their way to the database (or failed)."""
        await self.landed()
        ids = [new_contact_id() for _ in rows]
        contacts: list[ContactFields] = [row.contact for row in rows]
        properties = [row.properties for row in rows]
        sent = asyncio.Event()
        self._storing = asyncio.ensure_future(
            writes.insert_many(scope, contacts, kind="imported", properties=properties, contact_ids=ids, sent=sent)
        )
        self._storing.add_done_callback(lambda _: sent.set())  # one that failed before sending is on its way too
        await sent.wait()
        return ids


async def import_rows(scope: Scope, rows: Iterator[ImportedRow]) -> ImportReport:
    """Import every row of a file, a batch at a time.

    Parsing and validating run in a thread, the next batch while this one's new contacts are stored, and the
    next batch is matched while they are too: the event loop stays free, and the service's share of the work
    overlaps the database's.
    """
    report = ImportReport()
    created: dict[str, str] = {}  # external id -> contact created by this import (a file may repeat a card)
    storing = _Storing()
    read = 0
    reading = asyncio.ensure_future(asyncio.to_thread(_read, rows))
    try:
        while batch := await reading:
            read += len(batch)
            if read > MAX_ROWS:
                detail = f"The file has more than {MAX_ROWS} rows; split it. Rows after {MAX_ROWS} were not imported."
                report.add(batch[0].number, "failed", error=UnprocessableContent([], detail))
                break
            for failed in (row for row in batch if isinstance(row, _Failed)):
                report.add(failed.number, "failed", error=failed.error)
            valid = [row if isinstance(row, _Valid) else None for row in batch]
            await _import_batch(scope, valid, report, created, storing)
            # Read on once this batch's contacts are on their way: the parsing thread holds the GIL for long
            # stretches, and the round trips before them (the match, the change numbers) would wait for it.
            reading = asyncio.ensure_future(asyncio.to_thread(_read, rows))
        await storing.landed()
    finally:
        if not reading.done():  # the import failed while the next batch was being read: let that finish
            await asyncio.wait([reading])
        if not reading.cancelled():
            reading.exception()  # retrieved: the import's own outcome is what counts
        with contextlib.suppress(Exception):  # the import already failed: what it raised is what counts
            await storing.landed()
    return report


def _read(rows: Iterator[ImportedRow]) -> list[_Valid | _Failed]:
    """The next batch of rows, each validated or with its problem (in a thread: it touches no shared state)."""
    return [_valid(row) for row in itertools.islice(rows, BATCH)]


def _valid(row: ImportedRow) -> _Valid | _Failed:
    if row.contact is None:
        issue = ValidationIssue(location="body", pointer=row.pointer or "", detail=row.problem or "unreadable")
        return _Failed(row.number, UnprocessableContent([issue], row.problem))
    fields = dict(row.contact)
    id_hint = fields.pop("id_hint", None)
    try:
        return _Valid(row.number, validated(ContactWrite, fields), row.properties, id_hint)
    except UnprocessableContent as error:
        return _Failed(row.number, error)


async def _import_batch(
    scope: Scope, batch: list[_Valid | None], report: ImportReport, created: dict[str, str], storing: _Storing
) -> None:
    valid = [row for row in batch if row is not None]
    external_ids = [row.contact.external_id for row in valid if row.contact.external_id]
    by_external_id = {doc["external_id"]: doc for doc in await repository.find_by_external_ids(scope, external_ids)}
    by_id = {doc["_id"]: doc for doc in await repository.find_documents(scope, [r.id_hint for r in valid if r.id_hint])}
    pending: list[_Valid] = []
    for row in valid:
        external_id = row.contact.external_id
        if external_id in created or any(other.contact.external_id == external_id for other in pending if external_id):
            await _create(scope, pending, report, created, storing)  # the file repeats a card: update the one made
            pending = []
            await storing.landed()
            current = await repository.find_document(scope, created[external_id]) if external_id else None
        else:
            current = by_external_id.get(external_id) if external_id else None
            if current is None and row.id_hint in by_id:
                current = by_id[row.id_hint]
                if external_id in (row.id_hint, _digest_of(row)):  # our own export: the id, or no external id
                    row.contact = row.contact.model_copy(update={"external_id": current.get("external_id")})
        if current is None:
            pending.append(row)
        else:
            await _update(scope, current, row, report)
    await _create(scope, pending, report, created, storing)


def _digest_of(row: _Valid) -> str | None:
    """The external id an importer made up for a row without one (a digest of its content), if it did."""
    external_id = row.contact.external_id
    return external_id if external_id is not None and external_id.startswith(DIGEST_PREFIX) else None


async def _create(
    scope: Scope, rows: list[_Valid], report: ImportReport, created: dict[str, str], storing: _Storing
) -> None:
    if not rows:
        return
    ids = await storing.store(scope, rows)
    for row, contact_id in zip(rows, ids, strict=True):
        if row.contact.external_id:
            created[row.contact.external_id] = contact_id
        report.add(row.number, "created", contact_id)


async def _update(scope: Scope, current: dict[str, Any], row: _Valid, report: ImportReport) -> None:
    for _ in range(3):
        wanted = stored_fields(row.contact) | ({CARD_PROPERTIES: row.properties} if row.properties else {})
        if writes.client_fields(current) == writes.client_fields(wanted):
            report.add(row.number, "unchanged", current["_id"])
            return
        if await writes.replace(scope, current, row.contact, kind="imported", properties=row.properties):
            report.add(row.number, "updated", current["_id"])
            return
        found = await repository.find_document(scope, current["_id"])
        if found is None:
            break
        current = found
    report.add(row.number, "failed", current["_id"], Conflict("The contact changed while it was imported; retry."))
