"""The properties a contact's card holds (`card_properties`), and jCard (RFC 7095), their JSON form.

`vcard.to_vcard` writes the same properties as text, so the two formats always agree.

The contact's fields map exactly; its stored vCard lines are converted as well as their
property allows: known properties get their RFC 6350 value type and parsed value, a base64
PHOTO (vCard 3.0) becomes a data: URI, and anything else is type "unknown" with its text as written.
"""

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pycountry

from api.interchange.rows import CardLine, components, parse_line, structured, type_param, unescape

# RFC 6350's default value types, for properties that are not text.
_DEFAULT_TYPES = {
    **dict.fromkeys(("SOURCE", "PHOTO", "IMPP", "GEO", "LOGO", "MEMBER", "SOUND", "URL", "UID", "KEY"), "uri"),
    **dict.fromkeys(("FBURL", "CALADRURI", "CALURI", "RELATED"), "uri"),
    **dict.fromkeys(("BDAY", "ANNIVERSARY", "DEATHDATE"), "date-and-or-time"),
    "REV": "timestamp",
    "LANG": "language-tag",
}
_TEXT = frozenset({"FN", "N", "NICKNAME", "GENDER", "ADR", "TITLE", "ROLE", "ORG", "NOTE", "CATEGORIES", "KIND", "TEL",
                   "EMAIL", "TZ", "PRODID", "XML", "CLIENTPIDMAP", "EXPERTISE", "HOBBY", "INTEREST"})  # fmt: skip
_STRUCTURED = frozenset({"N", "ADR", "ORG", "GENDER", "CLIENTPIDMAP"})
_MULTIPLE = frozenset({"CATEGORIES", "NICKNAME"})
_EMBEDDED = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\\,;]+")
_NOT_KEPT = frozenset({"VERSION", "PRODID", "REV", "BEGIN", "END", "UID"})
_NOT_PARAMS = frozenset({"VALUE", "ENCODING", "CHARSET"})
_BASIC_DATE = re.compile(r"(\d{4}|-)-?(\d{2})(\d{2})")
_BASIC_TIME = re.compile(r"(\d{2})(\d{2})?(\d{2})?(Z|[+-]\d{2}(?:\d{2})?)?")


@dataclass(slots=True)
class Property:
    """A property written from a contact field: `kind` is its value type, `components` its structured value."""

    name: str
    components: list[list[str]]
    kind: str = "text"
    params: dict[str, list[str]] = field(default_factory=dict)


def card_properties(contact: Mapping[str, Any]) -> list[Property | CardLine]:
    """What a card of `contact` holds: its fields as properties, then its stored lines (N and ORG merged in)."""
    stored: list[CardLine] = []
    for raw in contact.get("vcard_properties") or []:
        with contextlib.suppress(ValueError):  # a line that is no content line would spoil the card
            stored.append(parse_line(raw))
    n_line = next((line for line in stored if line.name == "N"), None)
    org_line = next((line for line in stored if line.name == "ORG"), None)
    uid = contact.get("external_id") or contact["id"]
    items: list[Property | CardLine] = [
        Property("UID", [[uid]]) if not _URI.fullmatch(uid) else Property("UID", [[uid]], kind="uri"),
        Property("FN", [[contact["name"]]]),
    ]
    extras = components(n_line.value, 5)[2:5] if n_line else []
    if contact.get("family_name") or contact.get("given_name") or any(extras):
        items.append(Property("N", [[contact.get("family_name") or ""], [contact.get("given_name") or ""], *extras]))
    items += [Property(name, [[contact[key]]]) for name, key in (("NICKNAME", "nickname"),) if contact.get(key)]
    units = components(org_line.value, 1)[1:] if org_line else []
    if contact.get("company") or any(units):
        items.append(Property("ORG", [[contact.get("company") or ""], *units]))
    items += [
        Property(name, [[contact[key]]])
        for name, key in (("TITLE", "job_title"), ("NOTE", "notes"))
        if contact.get(key)
    ]
    if contact.get("birthday"):
        items.append(Property("BDAY", [[contact["birthday"].replace("-", "")]], kind="date"))
    if contact.get("tags"):
        items.append(Property("CATEGORIES", [list(contact["tags"])]))
    items += [_channel_property("EMAIL", entry) for entry in contact.get("emails") or []]
    items += [_channel_property("TEL", entry) for entry in contact.get("phones") or []]
    items += [_address_property(address) for address in contact.get("addresses") or []]
    if contact.get("updated_at"):
        revised = datetime.fromisoformat(contact["updated_at"]).astimezone(UTC)
        items.append(Property("REV", [[revised.strftime("%Y%m%dT%H%M%SZ")]], kind="timestamp"))
    merged = {id(n_line), id(org_line)}
    return items + [line for line in stored if id(line) not in merged and line.name not in _NOT_KEPT]


def _channel_property(name: str, entry: Mapping[str, Any]) -> Property:
    params = type_param(entry.get("label"))
    if entry.get("primary"):
        params["PREF"] = ["1"]
    if entry.get("original"):
        params["X-ORIGINAL"] = [entry["original"]]
    value = entry["value"]
    if name == "TEL" and re.fullmatch(r"\+[0-9]+", value):
        return Property(name, [[f"tel:{value}"]], kind="uri", params=params)
    return Property(name, [[value]], params=params)


def _address_property(address: Mapping[str, Any]) -> Property:
    params = type_param(address.get("label"))
    code = address.get("country")
    country = pycountry.countries.get(alpha_2=code) if code else None
    if code:
        params["CC"] = [code]
    parts = [address.get(key) or "" for key in ("street", "city", "region", "postal_code")]
    return Property(
        "ADR", [[""], [""], *([part] for part in parts), [country.name if country else code or ""]], params=params
    )


def to_jcard(contact: Mapping[str, Any]) -> list[Any]:
    """The jCard of `contact`: `["vcard", [["version", {}, "text", "4.0"], ...]]`."""
    properties: list[list[Any]] = [["version", {}, "text", "4.0"]]
    for item in card_properties(contact):
        properties.append(_stored(item) if isinstance(item, CardLine) else _mapped(item))
    return ["vcard", properties]


def _mapped(item: Property) -> list[Any]:
    params = {name.lower(): values[0] if len(values) == 1 else values for name, values in item.params.items()}
    if item.kind != "text":
        return [item.name.lower(), params, item.kind, _extended(item.components[0][0])]
    return [item.name.lower(), params, "text", *_text_values(item.name, item.components)]


def _stored(line: CardLine) -> list[Any]:
    params: dict[str, Any] = {"group": line.group} if line.group else {}
    for name, values in line.params.items():
        if name not in _NOT_PARAMS:
            split = [part for value in values for part in value.split(",")] if name == "TYPE" else values
            params[name.lower()] = split[0] if len(split) == 1 else split
    kind = (
        (line.param("VALUE") or "").lower()
        or _DEFAULT_TYPES.get(line.name)
        or ("text" if line.name in _TEXT else "unknown")
    )
    encoding = (line.param("ENCODING") or "").upper()
    if line.name in _EMBEDDED and encoding in ("B", "BASE64"):
        subtype = params.pop("type", None) if isinstance(params.get("type"), str) else None
        media = {"PHOTO": "image", "LOGO": "image", "SOUND": "audio"}.get(line.name, "application")
        uri = f"data:{media}/{(subtype or 'octet-stream').lower()};base64,{line.value.strip()}"
        return [line.name.lower(), params, "uri", uri]
    if kind == "text":
        return [line.name.lower(), params, kind, *_text_values(line.name, structured(line.value))]
    if kind in ("date", "time", "date-time", "date-and-or-time", "timestamp"):
        return [line.name.lower(), params, kind, _extended(line.value.strip())]
    return [line.name.lower(), params, kind, line.value]


def _text_values(name: str, components: list[list[str]]) -> list[Any]:
    """A text value in jCard form: one array for a structured value, else its values one after another."""
    if name in _STRUCTURED and len(components) > 1:
        return [[parts[0] if len(parts) == 1 else parts or "" for parts in components]]
    values = [part for component in components for part in component] if len(components) > 1 else components[0]
    if name not in _MULTIPLE and len(values) > 1:  # a comma that was not escaped: one text value
        return [unescape(",".join(values))]
    return values


def _extended(value: str) -> str:
    """A date or time from vCard's basic format (19531015T231000Z) in jCard's extended one (1953-10-15T23:10:00Z).

    Other forms (already extended, or reduced like "1985-04") are returned as written.
    """
    day, separator, time = value.partition("T")
    if match := _BASIC_DATE.fullmatch(day):
        year, month, mday = match.groups()
        day = f"{year or '-'}-{month}-{mday}"
    if match := _BASIC_TIME.fullmatch(time):
        hour, minute, second, zone = match.groups()
        zone = f"{zone[:3]}:{zone[3:]}" if zone and len(zone) == 5 else zone or ""
        time = ":".join(part for part in (hour, minute, second) if part) + zone
    return f"{day}{separator}{time}"
