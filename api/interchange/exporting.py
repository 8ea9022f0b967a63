"""Exporting contacts as vCard 4.0, jCard or CSV: whole address books streamed a page at a time."""

import csv
import io
from collections.abc import AsyncIterator, Iterable
from typing import Any

import orjson

from api.contacts import service
from api.contacts.schemas import ContactListParams
from api.interchange.csv_format import CSV_COLUMNS, to_csv_row
from api.interchange.jcard import to_jcard
from api.interchange.vcard import to_vcard
from api.scope import Scope
from models.contact import CARD_PROPERTIES

PAGE = 100
WITH_PROPERTIES = (CARD_PROPERTIES,)


def csv_line(cells: Iterable[str]) -> bytes:
    """One CSV record (RFC 4180: CRLF, quoted where needed)."""
    text = io.StringIO()
    csv.writer(text).writerow(cells)
    return text.getvalue().encode()


def as_json(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored views in JSON form (times as RFC 3339 text), as the formats take them."""
    converted: list[dict[str, Any]] = orjson.loads(orjson.dumps(contacts))
    return converted


def vcards(contacts: list[dict[str, Any]]) -> bytes:
    """Contacts as a vCard 4.0 stream."""
    return "".join(to_vcard(contact) for contact in as_json(contacts)).encode()


def jcards(contacts: list[dict[str, Any]]) -> bytes:
    """Contacts as a jCard array (RFC 7095)."""
    return orjson.dumps([to_jcard(contact) for contact in as_json(contacts)])


async def export(scope: Scope, params: ContactListParams, file_format: str) -> AsyncIterator[bytes]:
    """Every contact the listing `params` selects, in its order, as vCard (`vcf`) or CSV: one page in memory."""
    if file_format == "csv":
        yield b"\xef\xbb\xbf" + csv_line(CSV_COLUMNS)  # a BOM, so that spreadsheet programs read UTF-8
    after = None
    while True:
        page = await service.list_contacts(scope, params, after, WITH_PROPERTIES)
        if file_format == "csv":
            yield b"".join(csv_line(to_csv_row(contact)) for contact in as_json(page.contacts))
        else:
            yield vcards(page.contacts)
        if page.next_position is None:
            return
        after = page.next_position


def service_params(filters: dict[str, Any]) -> ContactListParams:
    """The listing an export walks: the export's filters, a page at a time."""
    return ContactListParams.model_validate(filters | {"limit": PAGE})


async def check(scope: Scope, params: ContactListParams) -> None:
    """Run the listing's rules on an export's filters (a bad sort or email is a 4xx before streaming starts)."""
    await service.list_contacts(scope, params.model_copy(update={"limit": 1}))
