"""vCard: streaming cards (2.1, 3.0, 4.0) into contacts, and writing a contact as one vCard 4.0 (RFC 6350).

Each content line goes through vobject's line parser (`rows.parse_line`). Its card reader (`readOne`)
is not used: it keeps a text value only up to its first unescaped comma ("FN:Lovelace, Ada" reads as
"Lovelace"), mis-reads `\\\\` before `,` or `;`, and fails on QUOTED-PRINTABLE soft line breaks. So
unfolding, soft breaks and unescaping follow RFC 6350 here.

Besides its fields, an imported contact carries `external_id` (the UID verbatim, or a content hash
for a card without one: see `rows.identify`) and `id_hint` (the UID, when it is one of our ids).
Properties with no contact field are kept verbatim in `ImportedRow.properties`, and so are values
a field cannot hold: a BDAY without a year, N's prefixes and suffixes, ORG's units (those two as
a canonical N or ORG line that `to_vcard` merges back). REV, PRODID and VERSION are dropped.
"""

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from api.interchange.jcard import card_properties
from api.interchange.rows import (
    CardLine,
    ImportedRow,
    clean_tags,
    components,
    fold_line,
    identify,
    join_structured,
    label_from_types,
    make_address,
    normalize_label,
    param_text,
    parse_line,
    problem_row,
    single_primary,
    structured,
    text_or_none,
    unescape,
)

MAX_CARD_BYTES = 1 << 20
_DROPPED = frozenset({"VERSION", "PRODID", "REV", "BEGIN", "END"})
_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?")


def read_vcards(lines: Iterable[str]) -> Iterator[ImportedRow]:
    """Each card of a vCard stream, in order; a whole text may be passed too.

    Holds one card at a time. Text outside cards is skipped; a card without END:VCARD, or
    larger than MAX_CARD_BYTES (its lines are not kept), is a problem row and reading goes on.
    """
    card: list[str] | None = None
    start = size = 0
    for number, line, octets in _logical_lines(_physical_lines(lines)):
        keyword = line.strip().upper()
        if keyword == "BEGIN:VCARD":
            if card is not None:
                yield _unfinished(start, size)
            card, start, size = [], number, 0
        elif card is None:
            continue
        elif keyword == "END:VCARD":
            yield _too_large(start) if size > MAX_CARD_BYTES else _read_card(start, card)
            card = None
        else:
            size += octets
            if size > MAX_CARD_BYTES:
                card.clear()
            else:
                card.append(line)
    if card is not None:
        yield _unfinished(start, size)


def _unfinished(start: int, size: int) -> ImportedRow:
    return _too_large(start) if size > MAX_CARD_BYTES else problem_row(start, "the card has no END:VCARD")


def _too_large(start: int) -> ImportedRow:
    return problem_row(start, f"the card is larger than {MAX_CARD_BYTES} bytes")


def _physical_lines(lines: Iterable[str]) -> Iterator[str]:
    for chunk in io.StringIO(lines, newline="") if isinstance(lines, str) else lines:
        text = chunk.removesuffix("\n").removesuffix("\r")
        yield from re.split(r"\r\n|\r|\n", text) if "\n" in text or "\r" in text else (text,)


def _logical_lines(physical: Iterable[str]) -> Iterator[tuple[int, str, int]]:
    """(line number, unfolded line, octets read) for each logical line; blank lines are skipped.

    A line is continued by one starting with a space or tab (folding), and a QUOTED-PRINTABLE
    line ending in `=` by the next line whatever it starts with (a soft line break).
    """
    parts: list[str] | None = None
    start = octets = 0
    soft_break = False
    for number, text in enumerate(physical, 1):
        if parts is not None and text[:1] in (" ", "\t"):
            text = text[1:]
        elif parts is not None and soft_break and text.strip().upper() != "END:VCARD":
            parts[-1] = parts[-1][:-1]
        else:
            if parts is not None:
                yield start, "".join(parts), octets
            parts, start, octets = None, number, 0
            if not text.strip():
                continue
            parts = []
        octets += len(text.encode(errors="replace")) + 2
        if octets <= MAX_CARD_BYTES:  # past that the card is refused: stop holding its text
            parts.append(text)
        soft_break = bool(parts) and text.endswith("=") and "QUOTED-PRINTABLE" in parts[0].split(":")[0].upper()
        if text.strip().upper() == "END:VCARD":  # never folded: hand the card over without waiting for more
            yield start, text, octets
            parts = None
    if parts is not None:
        yield start, "".join(parts), octets


def _content_lines(raw_lines: list[str]) -> list[CardLine]:
    """The card's lines parsed; text that is no content line is skipped, except vCard 2.1 base64 data
    written without indentation, which continues the line before."""
    lines: list[CardLine] = []
    for raw in raw_lines:
        try:
            lines.append(parse_line(raw))
        except ValueError:
            if lines and (lines[-1].param("ENCODING") or "").upper() in ("B", "BASE64"):
                lines[-1].raw += raw.strip()
    return lines


def _read_card(start: int, raw_lines: list[str]) -> ImportedRow:
    lines = _content_lines(raw_lines)
    labels: dict[str | None, str] = {line.group: unescape(line.value) for line in lines if line.name == "X-ABLABEL"}
    codes: dict[str | None, str] = {line.group: unescape(line.value) for line in lines if line.name == "X-ABADR"}
    channel_groups = {line.group for line in lines if line.group and line.name in ("EMAIL", "TEL", "ADR")}
    orgs = sum(line.name == "ORG" for line in lines)
    texts: dict[str, str | None] = {}
    names: list[list[str]] | None = None
    company: str | None = None
    uid: str | None = None
    birthday: str | None = None
    tags: list[str] = []
    emails: list[dict[str, Any]] = []
    phones: list[dict[str, Any]] = []
    addresses: list[dict[str, Any]] = []
    kept: list[str] = []
    for line in lines:
        name = line.name
        if name in _DROPPED or (name in ("X-ABLABEL", "X-ABADR") and line.group in channel_groups):
            continue
        if name in ("FN", "NICKNAME", "TITLE", "NOTE") and name not in texts:
            texts[name] = text_or_none(unescape(line.value))
        elif name == "N":
            if names is None:  # a card has at most one N (RFC 6350); another is dropped
                names = components(line.value, 5)
                if any(names[2:]):
                    kept.append("N:" + join_structured([[" ".join(names[0])], [" ".join(names[1])], *names[2:]]))
        elif name == "ORG" and company is None:
            parts = components(line.value, 1)
            company = _joined(parts[0]) or None
            if orgs > 1 or any(parts[1:]):
                kept.append("ORG:" + join_structured([[company or ""], *parts[1:]]))
        elif name == "BDAY" and birthday is None and (birthday := _birthday(line)):
            pass
        elif name == "CATEGORIES":
            tags.extend(part for component in structured(line.value) for part in component)
        elif name == "EMAIL" and text_or_none(line.value):
            emails.append(_channel(line, unescape(line.value).strip(), labels))
        elif name == "TEL" and text_or_none(line.value):
            number = unescape(line.value).strip()
            phones.append(_channel(line, number[4:] if number.lower().startswith("tel:") else number, labels))
        elif name == "ADR" and (address := _address(line, labels, codes)):
            addresses.append(address)
        elif name == "UID" and uid is None:
            uid = text_or_none(unescape(line.value) if line.param("VALUE") == "text" else line.value)
        else:
            kept.append(line.raw)
    names = names or [[]] * 5
    given, family = " ".join(names[1]) or None, " ".join(names[0]) or None
    full = " ".join(" ".join(names[index]) for index in (3, 1, 2, 0, 4) if names[index])  # Hon. Ada A. King Jr.
    display: str | None = texts.get("FN") or full or company or (emails[0]["value"] if emails else None)
    if not display:
        return problem_row(start, "the card has no name: no FN, N, ORG or EMAIL", "/FN")
    contact: dict[str, Any] = {
        "name": display, "given_name": given, "family_name": family, "nickname": texts.get("NICKNAME"),
        "company": company, "job_title": texts.get("TITLE"), "notes": texts.get("NOTE"), "birthday": birthday,
        "tags": clean_tags(tags), "emails": single_primary(emails), "phones": single_primary(phones),
        "addresses": addresses,
    }  # fmt: skip
    identify(contact, uid, uid, kept)
    return ImportedRow(number=start, contact=contact, properties=kept)


def _joined(parts: list[str]) -> str:
    # A comma inside a component is a list separator in 4.0 and an unescaped comma in older writers.
    return ", ".join(parts)


def _channel(line: CardLine, value: str, labels: dict[str | None, str]) -> dict[str, Any]:
    """An email or phone entry; an Apple group label (item1.X-ABLabel) wins over TYPE."""
    label = labels.get(line.group) if line.group in labels else label_from_types(line.types())
    primary = "pref" in line.types() or line.param("PREF") == "1"
    return {"value": value, "label": normalize_label(label), "primary": primary, "original": line.param("X-ORIGINAL")}


def _address(line: CardLine, labels: dict[str | None, str], codes: dict[str | None, str]) -> dict[str, Any] | None:
    """An address; the PO box and extended address join the street, RFC 8605's CC or Apple's X-ABADR give the code."""
    box, extended, street, city, region, postal_code, country = (
        _joined(part) for part in components(line.value, 7)[:7]
    )
    label = labels.get(line.group) if line.group in labels else label_from_types(line.types())
    parts = {"street": ", ".join(part for part in (street, extended, box) if part), "city": city, "region": region,
             "postal_code": postal_code, "country": country}  # fmt: skip
    return make_address(label, parts, cc=line.param("CC") or codes.get(line.group))


def _birthday(line: CardLine) -> str | None:
    """The BDAY as YYYY-MM-DD, or None when it is text, has no year, or is no date."""
    match = _DATE.fullmatch(line.value.strip())
    if (line.param("VALUE") or "").lower() == "text" or match is None:
        return None
    if line.param("X-APPLE-OMIT-YEAR") == match.group(1):  # Apple's year-less birthday: 1604-12-10
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return None


_DEFAULT_KINDS = {"TEL": "text", "UID": "uri", "BDAY": "date-and-or-time", "REV": "timestamp"}


def to_vcard(contact: Mapping[str, Any]) -> str:
    """One vCard 4.0 for `contact`: CRLF line ends, lines folded at 75 octets; `jcard.card_properties` says what."""
    lines = ["BEGIN:VCARD", "VERSION:4.0"]
    for item in card_properties(contact):
        if isinstance(item, CardLine):
            lines.append(item.raw)
            continue
        params = "".join(f";{name}={','.join(map(param_text, values))}" for name, values in item.params.items())
        if item.kind != _DEFAULT_KINDS.get(item.name, "text"):
            params = f";VALUE={item.kind}{params}"
        value = join_structured(item.components) if item.kind == "text" else item.components[0][0]
        lines.append(f"{item.name}{params}:{value}")
    lines.append("END:VCARD")
    return "".join(fold_line(line) + "\r\n" for line in lines)
