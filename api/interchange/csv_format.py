"""CSV: our export, and imports from our files, Google Contacts' (new and old headers) and Outlook's.

Our header uses Google's column names for emails, phones and addresses, so Google reads those
too. A row holds at most 3 emails, 3 phones and 2 addresses (vCard keeps them all); the primary
entry's label starts with "* ", as Google writes it. Phones are written in E.164: the client's
own spelling (`original`) is not kept in CSV.

Besides its fields, an imported contact carries `external_id` (the `external_id` column, else a
hash of the row's content, see `rows.identify`) and `id_hint` (the `id` column, when it holds one
of our ids). Unknown columns are ignored; so are a name prefix and suffix when a full-name column
exists, else they are part of the name built from its parts. A birthday without a year is no
birthday: it is appended to the notes as "Birthday: --12-10".
"""

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from api.interchange.rows import (
    ImportedRow,
    clean_tags,
    identify,
    make_address,
    normalize_label,
    problem_row,
    single_primary,
    text_or_none,
)

EMAILS, PHONES, ADDRESSES = 3, 3, 2
TAG_SEPARATOR = " ::: "
_ADDRESS_PARTS = (("Street", "street"), ("City", "city"), ("Region", "region"), ("Postal Code", "postal_code"))
CSV_COLUMNS: tuple[str, ...] = (
    *("id", "external_id", "name", "given_name", "family_name", "nickname", "company", "job_title"),
    *("birthday", "notes", "tags"),
    *(f"E-mail {n} - {part}" for n in range(1, EMAILS + 1) for part in ("Label", "Value")),
    *(f"Phone {n} - {part}" for n in range(1, PHONES + 1) for part in ("Label", "Value")),
    *(f"Address {n} - {part}" for n in range(1, ADDRESSES + 1) for part in ("Label", *dict(_ADDRESS_PARTS), "Country")),
)
_FIELDS = {
    **dict.fromkeys(("id", "external_id", "name", "nickname", "company", "birthday", "notes", "tags"), None),
    "given_name": "given_name", "given name": "given_name", "first name": "given_name",
    "middle name": "middle", "additional name": "middle", "name prefix": "prefix", "title": "prefix",
    "family_name": "family_name", "family name": "family_name", "last name": "family_name",
    "name suffix": "suffix", "suffix": "suffix", "organization name": "company", "organization 1 - name": "company",
    "job_title": "job_title", "job title": "job_title", "organization title": "job_title",
    "organization 1 - title": "job_title", "labels": "tags", "group membership": "tags", "categories": "categories",
}  # fmt: skip
_OUTLOOK_PHONES = {
    "business phone": "work", "business phone 2": "work", "home phone": "home", "home phone 2": "home",
    "mobile phone": "mobile", "business fax": "work fax", "home fax": "home fax", "other fax": "other fax",
    "other phone": "other", "pager": "pager", "primary phone": "main", "company main phone": "main",
    "car phone": "car", "assistant's phone": "assistant", "callback": "callback", "radio phone": "radio",
    "isdn": "isdn", "telex": "telex", "tty/tdd phone": "textphone",
}  # fmt: skip
_PARTS = {"type": "label", "postal code": "postal_code", "po box": "po_box", "extended address": "extended",
          "state": "region", "country/region": "country", "street 2": "street2", "street 3": "street3"}  # fmt: skip
_GOOGLE = re.compile(
    r"(e-mail|phone|address) (\d+) - (label|type|value|street|city|region|postal code|country|po box|extended address)"
)
_OUTLOOK_EMAIL = re.compile(r"e-mail( \d)? address")
_OUTLOOK_ADDRESS = re.compile(
    r"(business|home|other) (street|street 2|street 3|city|state|postal code|country/region|po box)"
)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_NO_YEAR = re.compile(r"--\d{2}-?\d{2}|0/0/0*|")

Slot = tuple[str, str, str]  # (field, email, phone or address; which one; which part)


def to_csv_row(contact: Mapping[str, Any]) -> list[str]:
    """The cells of `contact` under CSV_COLUMNS."""
    row = [contact.get(key) or "" for key in CSV_COLUMNS[:10]]
    row.append(TAG_SEPARATOR.join(contact.get("tags") or []))
    for key, count in (("emails", EMAILS), ("phones", PHONES)):
        entries = list(contact.get(key) or [])[:count]
        entries += [{}] * (count - len(entries))
        for entry in entries:
            row += [("* " if entry.get("primary") else "") + (entry.get("label") or ""), entry.get("value") or ""]
    addresses = list(contact.get("addresses") or [])[:ADDRESSES]
    for address in addresses + [{}] * (ADDRESSES - len(addresses)):
        row += [address.get(key) or "" for key in ("label", *dict(_ADDRESS_PARTS).values(), "country")]
    return [str(cell) for cell in row]


def read_csv(lines: Iterable[str]) -> Iterator[ImportedRow]:
    """Each row of a CSV file with a header; `lines` as a text file yields them (line ends kept).

    A row that cannot be parsed, or has more cells than the header, is a problem row and reading goes on.
    """
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as error:
        yield problem_row(1, f"the header cannot be read: {error}")
        return
    slots = [_slot(name.lstrip("\ufeff").strip().casefold()) for name in header]
    if not any(slot and slot[0] == "field" and slot[1] in ("name", "given_name", "family_name") for slot in slots):
        yield problem_row(1, "the header has no name column (name, Name, First Name, Last Name, Given Name...)")
        return
    previous = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield problem_row(previous + 1, f"the row cannot be read: {error}")
            previous = reader.line_num
            continue
        number, previous = previous + 1, reader.line_num
        if len(cells) > len(header):
            yield problem_row(number, f"the row has {len(cells)} cells, the header {len(header)}")
        elif any(cell.strip() for cell in cells):
            yield _read_row(number, header, slots, cells)


def _slot(name: str) -> Slot | None:
    if name in _FIELDS:
        return ("field", _FIELDS[name] or name, "")
    if match := _GOOGLE.fullmatch(name):
        kind, number, part = match.groups()
        return ({"e-mail": "email"}.get(kind, kind), number, _PARTS.get(part, part))
    if match := _OUTLOOK_EMAIL.fullmatch(name):
        return ("email", f"outlook{match.group(1) or ''}", "value")
    if name in _OUTLOOK_PHONES:
        return ("phone", name, "value")
    if match := _OUTLOOK_ADDRESS.fullmatch(name):
        return ("address", match.group(1), _PARTS.get(match.group(2), match.group(2)))
    return None


def _read_row(number: int, header: list[str], slots: list[Slot | None], cells: list[str]) -> ImportedRow:
    fields: dict[str, str] = {}
    entries: dict[tuple[str, str], dict[str, str]] = {}
    for name, slot, cell in zip(header, slots, cells, strict=False):
        if slot and cell.strip():
            if slot[0] == "field":
                fields[slot[1]] = cell.strip()
                fields["/" + slot[1]] = "/" + name.lstrip("\ufeff").strip().replace("~", "~0").replace("/", "~1")
            else:
                entries.setdefault(slot[:2], {})[slot[2]] = cell.strip()
    emails = _channels(entries, "email")
    parts = ("prefix", "given_name", "middle", "family_name", "suffix")
    name = fields.get("name") or " ".join(fields[key] for key in parts if key in fields)
    name = name or fields.get("company") or (emails[0]["value"] if emails else "")
    if not name:
        return problem_row(number, "the row has no name, given or family name, company or email")
    notes = fields.get("notes")
    birthday = text_or_none(fields.get("birthday"))
    if birthday and _NO_YEAR.fullmatch(birthday):
        notes = None if birthday.startswith("0/") else "\n".join(filter(None, (notes, f"Birthday: {birthday}")))
        birthday = None
    elif birthday and (birthday := _iso_date(birthday)) is None:
        return problem_row(number, "the birthday is not a date", fields["/birthday"])
    tags = fields.get("tags", "").split(":::") + re.split(r"[;,]", fields.get("categories", ""))
    contact: dict[str, Any] = {
        "name": name, "given_name": fields.get("given_name"), "family_name": fields.get("family_name"),
        "nickname": fields.get("nickname"), "company": fields.get("company"), "job_title": fields.get("job_title"),
        "notes": notes, "birthday": birthday, "tags": clean_tags(tags), "emails": emails,
        "phones": _channels(entries, "phone"), "addresses": _addresses(entries),
    }  # fmt: skip
    identify(contact, fields.get("external_id"), fields.get("id"), [])
    return ImportedRow(number=number, contact=contact, properties=[])


def _channels(entries: dict[tuple[str, str], dict[str, str]], kind: str) -> list[dict[str, Any]]:
    """Emails or phones: a Google cell may hold several values (" ::: "); a label "* Work" marks the primary."""
    found: list[dict[str, Any]] = []
    for (entry_kind, key), parts in entries.items():
        if entry_kind != kind:
            continue
        label = parts.get("label") or _OUTLOOK_PHONES.get(key, "")
        for value in filter(None, (value.strip() for value in parts.get("value", "").split(":::"))):
            primary = label.startswith("*")
            found.append({"value": value, "label": normalize_label(label.lstrip("* ")), "primary": primary})
            found[-1]["original"] = None
    return single_primary(found)


def _addresses(entries: dict[tuple[str, str], dict[str, str]]) -> list[dict[str, Any]]:
    """Addresses; extra street lines, the PO box and the extended address join the street."""
    found = []
    for (kind, key), parts in entries.items():
        street = ", ".join(
            parts[part] for part in ("street", "street2", "street3", "extended", "po_box") if part in parts
        )
        label = parts.get("label") or {"business": "work"}.get(key, key if not key.isdigit() else "")
        if kind == "address" and (address := make_address(label, {**parts, "street": street})):
            found.append(address)
    return found


def _iso_date(text: str) -> str | None:
    """YYYY-MM-DD from an ISO date or Outlook's M/D/YYYY; None when it is neither."""
    if match := _US_DATE.fullmatch(text):
        month, day, year = (int(part) for part in match.groups())
    elif match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
