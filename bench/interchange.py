"""Whole address books as files: the export streamed from the API, the import of a vCard and a CSV file.

An export walks every contact of the API's collection (`GET /contacts/export?format=vcf|csv`); the harness
reads it as it streams, counts the records and keeps nothing. An import file holds the same generated contacts
the collection was loaded with (`data.api_documents`), written by the API's own formatters (`to_vcard`,
`to_csv_row`) from their JSON form, as another system's export: each carries an external id of its own
(`bench-<n>`; the generated contacts repeat 1,000 templates, and rows without one would be matched on their
content and so mostly update each other) and no id of ours. The runner posts it to a fresh API process with an
embedded database of its own, so every row is a create and the shared server the scenarios use is not touched.
While either runs, the serving process's resident memory is sampled (`services.RssSampler`).
"""

import time
import urllib.request
from collections.abc import Iterator
from typing import Any

from api.contacts.repository import to_record
from api.interchange.csv_format import CSV_COLUMNS, to_csv_row
from api.interchange.exporting import csv_line
from api.interchange.importing import MAX_ROWS
from api.interchange.vcard import to_vcard
from bench.client import send
from bench.data import Document, api_documents
from bench.services import RssSampler

FORMATS = ("vcf", "csv")
CONTENT_TYPES = {"vcf": "text/vcard", "csv": "text/csv"}
# What ends one record of each format; a CSV file's first line is its header, and our contacts hold no line breaks.
RECORD_ENDS = {"vcf": b"END:VCARD\r\n", "csv": b"\n"}
HEADER_LINES = {"vcf": 0, "csv": 1}
CHUNK = 256 * 1024
TIMEOUT = 3600.0  # an import answers when every row is in: 100k rows at the 500/s target take 200 s
_MB = 1024 * 1024


class RecordCounter:
    """Counts the occurrences of `marker` in a byte stream fed in chunks, including those split between chunks."""

    def __init__(self, marker: bytes) -> None:
        self.marker, self.count, self._tail = marker, 0, b""

    def feed(self, chunk: bytes) -> None:
        """Count the markers that end in `chunk`."""
        window = self._tail + chunk
        self.count += window.count(self.marker)
        self._tail = window[-(len(self.marker) - 1) :] if len(self.marker) > 1 else b""


def import_size(size: int, max_rows: int = MAX_ROWS) -> int:
    """How many rows an import at `size` contacts sends: the size, capped by `max_rows` and the API's row limit."""
    return min(size, max_rows, MAX_ROWS)


def file_contacts(count: int, templates: list[Document]) -> Iterator[dict[str, Any]]:
    """The first `count` generated contacts in the API's JSON form, as another system would export them."""
    for number, document in enumerate(api_documents(0, count, templates)):
        contact = to_record(document).model_dump(mode="json")
        del contact["id"]
        yield contact | {"external_id": f"bench-{number}"}


def import_file(file_format: str, count: int, templates: list[Document]) -> bytes:
    """A vCard 4.0 (`vcf`) or CSV (`csv`, with our header) file of `count` generated contacts."""
    contacts = file_contacts(count, templates)
    if file_format == "vcf":
        return "".join(to_vcard(contact) for contact in contacts).encode()
    return csv_line(CSV_COLUMNS) + b"".join(csv_line(to_csv_row(contact)) for contact in contacts)


def export(base_url: str, file_format: str, pid: int) -> dict[str, Any]:
    """Stream the whole address book as `file_format`; its records, size, time and the server's memory."""
    counter = RecordCounter(RECORD_ENDS[file_format])
    octets = 0
    url = f"{base_url}/contacts/export?format={file_format}"
    with RssSampler(pid) as memory:
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (http://127.0.0.1 only)
            while chunk := response.read(CHUNK):
                counter.feed(chunk)
                octets += len(chunk)
        seconds = time.perf_counter() - started
    contacts = counter.count - HEADER_LINES[file_format]
    return {
        "contacts": contacts,
        "file_mb": round(octets / _MB, 2),
        "seconds": round(seconds, 3),
        "per_s": round(contacts / seconds, 1) if seconds else None,
        **memory.as_dict(),
    }


def post_import(base_url: str, file_format: str, body: bytes, rows: int, pid: int) -> dict[str, Any]:
    """POST `body` (a file of `rows` contacts) to /contacts/import; its outcome counts, time and the server's memory."""
    with RssSampler(pid) as memory:
        started = time.perf_counter()
        answer = send("POST", f"{base_url}/contacts/import", body, CONTENT_TYPES[file_format], timeout=TIMEOUT)
        seconds = time.perf_counter() - started
    outcomes = {outcome: answer[outcome] for outcome in ("created", "updated", "unchanged", "failed")}
    failures = [result for result in answer["results"] if result["outcome"] == "failed"][:3]
    return {
        "rows": rows,
        "file_mb": round(len(body) / _MB, 2),
        "seconds": round(seconds, 3),
        "per_s": round(rows / seconds, 1) if seconds else None,
        **outcomes,
        **({"first_failures": failures} if failures else {}),
        **memory.as_dict(),
    }
