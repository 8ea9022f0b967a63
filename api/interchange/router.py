"""HTTP for `/contacts/export` and `/contacts/import`: whole address books as vCard or CSV files."""

import hashlib
import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from api.contacts.router import IdempotencyKey
from api.errors import UnsupportedMediaType
from api.http.dependencies import CurrentScope
from api.http.media_types import media_type
from api.http.negotiation import VCARD
from api.http.problems import problem_responses
from api.idempotency.service import IdempotentRequest, run_once
from api.interchange import exporting, importing
from api.interchange.csv_format import read_csv
from api.interchange.examples import CSV_EXAMPLE, VCARD_EXAMPLE, file_content, text_content
from api.interchange.rows import ImportedRow
from api.interchange.schemas import ExportParams, ImportResult
from api.interchange.vcard import read_vcards
from api.scope import Scope

router = APIRouter(prefix="/contacts", tags=["interchange"], responses=problem_responses(401, 429))
IMPORT_PATH = "/contacts/import"
CSV = "text/csv"
VCARD_TYPES = frozenset({VCARD, "text/x-vcard", "text/directory"})
CSV_TYPES = frozenset({CSV, "application/csv", "text/comma-separated-values"})
FILE_TYPES = VCARD_TYPES | CSV_TYPES | {"application/octet-stream"}
SNIFF_BYTES = 64 * 1024
SPOOL_IN_MEMORY = 1024 * 1024  # larger uploads spill to a temporary file


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The contacts as one file.",
            "content": text_content(VCARD, VCARD_EXAMPLE) | text_content(CSV, CSV_EXAMPLE),
        },
        **problem_responses(400, 422),
    },
    summary="Export contacts as a vCard or CSV file",
)
async def export_contacts(params: Annotated[ExportParams, Query()], scope: CurrentScope) -> StreamingResponse:
    """Every contact the filters select (all by default), streamed as vCard 4.0 or CSV without buffering."""
    filters = params.model_dump(exclude={"format"})
    listing = exporting.service_params(filters)
    await exporting.check(scope, listing)  # a bad filter is a 4xx before the 200 starts
    name = "contacts.vcf" if params.format == "vcf" else "contacts.csv"
    return StreamingResponse(
        exporting.export(scope, listing, params.format),
        media_type=f"{VCARD if params.format == 'vcf' else CSV}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/import",
    response_model=ImportResult,
    response_model_exclude_none=True,
    responses=problem_responses(400, 409, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A .vcf file (vCard 2.1, 3.0 or 4.0) or a CSV file with a header row (ours, Google's, "
            "Outlook's). The format is read from the file: a vCard file starts with BEGIN:VCARD.",
            "content": file_content(VCARD, VCARD_EXAMPLE)
            | file_content(CSV, CSV_EXAMPLE)
            | file_content("application/octet-stream", VCARD_EXAMPLE),
        }
    },
    summary="Import contacts from a vCard or CSV file",
)
async def import_contacts(
    request: Request, scope: CurrentScope, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Create or update a contact per card or row, matched on its UID or external id, so a re-import of the
    same file creates nothing new. Each row gets its own result; a bad row never stops the others. With an
    `Idempotency-Key`, a retry of the same file replays the first report.
    """
    if media_type(request) not in FILE_TYPES:
        raise UnsupportedMediaType(f"Send a vCard file ({VCARD}) or a CSV file ({CSV}).")
    upload, digest = await _spool(request)
    with upload:
        rows = read_vcards(_lines(upload)) if _is_vcard(upload) else read_csv(_lines(upload))
        if idempotency_key is None:
            return (await importing.import_rows(scope, rows)).as_json()
        return await _import_once(scope, IdempotentRequest(idempotency_key, f"importContacts:{digest}"), rows)


async def _import_once(scope: Scope, request: IdempotentRequest, rows: Iterator[ImportedRow]) -> dict[str, Any]:
    async def run(_: str) -> dict[str, Any]:
        return (await importing.import_rows(scope, rows)).as_json()

    async def nothing_to_recover(_: str) -> None:
        return None  # a re-run matches every contact the first run made: it creates no duplicates

    return (await run_once(scope, request, run, nothing_to_recover)).result


async def _spool(request: Request) -> tuple[IO[bytes], str]:
    """The body in a temporary file (memory up to 1 MiB, then disk), and its SHA-256."""
    upload = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (closed by the caller)
    digest = hashlib.sha256()
    async for chunk in request.stream():
        digest.update(chunk)
        upload.write(chunk)
    upload.seek(0)
    return upload, digest.hexdigest()


def _is_vcard(upload: IO[bytes]) -> bool:
    """Whether the file is vCard (its first text is BEGIN:VCARD) rather than CSV, whatever its label says:
    uploads are often labelled `application/octet-stream`, or as another of the two.
    """
    start = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return start.removeprefix(b"\xef\xbb\xbf").lstrip().upper().startswith(b"BEGIN:VCARD")


def _lines(upload: IO[bytes]) -> Iterator[str]:
    """The file's lines as text: UTF-8, or Windows-1252 where a line is not (as older Outlook exports are)."""
    for number, raw in enumerate(upload):
        line = raw.removeprefix(b"\xef\xbb\xbf") if number == 0 else raw
        try:
            yield line.decode()
        except UnicodeDecodeError:
            yield line.decode("cp1252", errors="replace")
