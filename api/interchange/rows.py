"""What the formats share: the row an import yields, the rules that map foreign values to contact fields,
and the vCard content-line grammar that vCard and jCard both need.

Importers only map; the API validates. So these helpers tidy what is clearly the same value
(case, spacing, country names) and leave everything else for validation to accept or refuse.
"""

import gettext
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
import vobject  # type: ignore[import-untyped]

from models.contact import fold, is_contact_id

MAX_EXTERNAL_ID = 255
DIGEST_PREFIX = "sha256:"  # an external id made from a digest (of a row without one, or of a too-long UID)
# Google's system labels: every contact has them, they say nothing about the contact.
SYSTEM_TAGS = frozenset({"mycontacts", "my contacts", "starred"})
_LABELS = {"cell": "mobile", "iphone": "mobile", "mobile": "mobile", "business": "work", "company": "work"}
# Apple writes its built-in labels as "_$!<Mobile>!$_".
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")
_PLACES = ("work", "home", "other")
_KINDS = {"cell": "mobile", "mobile": "mobile", "iphone": "mobile", "fax": "fax", "pager": "pager", "main": "main",
          "text": "text", "video": "video", "textphone": "textphone"}  # fmt: skip
# TYPE values that say nothing a label should: defaults, preference, encodings, postal kinds.
_NOISE = frozenset({"pref", "internet", "x400", "voice", "msg", "bbs", "modem", "dom", "intl", "postal", "parcel"})
_TYPES = {
    **{kind: kind for kind in _KINDS.values()},
    "work": "work",
    "home": "home",
    "other": "other",
    "mobile": "cell",
}
# Names people write that ISO 3166 and its translations do not list.
_COUNTRY_ALIASES = {
    "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "great britain": "GB", "britain": "GB", "u.s.": "US", "u.s.a.": "US", "america": "US", "united states": "US",
    "russia": "RU", "south korea": "KR", "north korea": "KP", "holland": "NL", "the netherlands": "NL",
    "czech republic": "CZ", "ivory coast": "CI", "uae": "AE", "vatican": "VA", "burma": "MM",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ImportedRow:
    """One card or CSV row of an import: where it starts, and the contact it maps to or why it could not be read."""

    number: int
    contact: dict[str, Any] | None
    properties: list[str]
    problem: str | None = None
    pointer: str | None = None


def problem_row(number: int, problem: str, pointer: str | None = None) -> ImportedRow:
    """A row that could not be read, and why."""
    return ImportedRow(number=number, contact=None, properties=[], problem=problem, pointer=pointer)


def content_hash(contact: dict[str, Any], properties: list[str] | None = None) -> str:
    """`sha256:` and the hex digest of the mapped content: the same source row always gets the same external id."""
    content = {key: value for key, value in contact.items() if key not in ("external_id", "id_hint")}
    if properties:
        content["vcard_properties"] = properties
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return DIGEST_PREFIX + hashlib.sha256(canonical.encode()).hexdigest()


def identify(contact: dict[str, Any], external_id: str | None, id_hint: str | None, properties: list[str]) -> None:
    """Set `external_id` (the source's, or a content hash when it has none) and `id_hint` (one of our ids).

    An external id longer than the API keeps is replaced by the hash of its text, which is just as stable.
    """
    if external_id and len(external_id) > MAX_EXTERNAL_ID:
        external_id = DIGEST_PREFIX + hashlib.sha256(external_id.encode()).hexdigest()
    if id_hint and is_contact_id(id_hint):
        contact["id_hint"] = id_hint
    contact["external_id"] = external_id or content_hash(contact, properties)


def text_or_none(value: str | None) -> str | None:
    """The trimmed text, or None when there is none."""
    value = (value or "").strip()
    return value or None


def normalize_label(text: str | None) -> str | None:
    """A label as the API keeps them: lower case, Apple's markers removed, "cell" read as "mobile"."""
    text = text_or_none(text)
    if text is None:
        return None
    if match := _APPLE_LABEL.fullmatch(text):
        text = match.group(1).strip()
    text = text.lower()
    return _LABELS.get(text, text) or None


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Trimmed tags, each once (ignoring case), without Google's system labels; a leading "* " is dropped."""
    kept: dict[str, str] = {}
    for tag in tags:
        tag = tag.strip().removeprefix("* ").strip()
        if tag and fold(tag) not in SYSTEM_TAGS:
            kept.setdefault(fold(tag), tag)
    return list(kept.values())


def country_code(text: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code for a country code or name (in English or any language pycountry knows)."""
    text = text_or_none(text)
    if text is None:
        return None
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        key = fold(text)
        return _COUNTRY_ALIASES.get(key) or _translated_countries().get(key)


@cache
def _translated_countries() -> dict[str, str]:
    # Built on the first name `lookup` misses (about half a second), then kept.
    names: dict[str, str] = {}
    for locale in sorted(path.name for path in Path(pycountry.LOCALES_DIR).iterdir()):
        try:
            translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        except OSError:
            continue
        for country in pycountry.countries:
            for attribute in ("name", "official_name", "common_name"):
                if english := getattr(country, attribute, None):
                    names.setdefault(fold(translation.gettext(english)), country.alpha_2)
    return names


def make_address(label: str | None, parts: Mapping[str, str | None], cc: str | None = None) -> dict[str, Any] | None:
    """An address from its parts (street, city, region, postal_code, country), or None when all are empty.

    `cc` is a code the source gave beside the country text. A country no code can be found for is
    not dropped: its text moves to `region` (after the region's own text), where the client sees it.
    """
    address = {key: text_or_none(parts.get(key)) for key in ("street", "city", "region", "postal_code")}
    country_text = text_or_none(parts.get("country"))
    code = country_code(cc) or country_code(country_text)
    if code is None and country_text:
        address["region"] = ", ".join(part for part in (address["region"], country_text) if part)
    if not any(address.values()) and code is None:
        return None
    return {"label": normalize_label(label), **address, "country": code}


def label_from_types(types: list[str]) -> str | None:
    """A label from TYPE values: a place and a kind ("work fax"), else the first other value."""
    place = next((kind for kind in types if kind in _PLACES), None)
    kind = next((_KINDS[kind] for kind in types if kind in _KINDS), None)
    if place or kind:
        return " ".join(word for word in (place, kind) if word)
    return next((kind for kind in types if kind and kind not in _NOISE), None)


def type_param(label: str | None) -> dict[str, list[str]]:
    """The TYPE parameter for a label: vCard's own types when its words are ("work fax"), else the label."""
    if not label:
        return {}
    words = label.split()
    if all(word in _TYPES for word in words):
        return {"TYPE": [_TYPES[word] for word in words]}
    return {"TYPE": [label]}


def single_primary(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries with only the first one marked primary kept primary."""
    seen = False
    for entry in entries:
        entry["primary"] = entry["primary"] and not seen
        seen = seen or entry["primary"]
    return entries


@dataclass(slots=True)
class CardLine:
    """One unfolded vCard content line: `value` is decoded from QUOTED-PRINTABLE but still backslash-escaped."""

    raw: str
    name: str
    group: str | None = None
    params: dict[str, list[str]] = field(default_factory=dict)
    value: str = ""

    def types(self) -> list[str]:
        """The TYPE values in lower case, comma lists split, vCard 2.1's bare parameters included."""
        return [kind.strip().lower() for value in self.params.get("TYPE", []) for kind in value.split(",")]

    def param(self, name: str) -> str | None:
        """The first value of a parameter."""
        values = self.params.get(name)
        return values[0] if values else None


_ENCODINGS = frozenset({"BASE64", "B", "8BIT", "7BIT"})
_CARET = re.compile(r"\^([n'^])")
_ESCAPE = re.compile(r"\\(.)")


def parse_line(raw: str) -> CardLine:
    """Split a content line with vobject (which also decodes QUOTED-PRINTABLE); ValueError when it cannot."""
    try:
        line = vobject.base.ContentLine(*vobject.base.parseLine(raw))
    except (vobject.base.ParseError, UnicodeError, LookupError) as error:
        raise ValueError(f"cannot read the line {raw[:40]!r}: {error}") from None
    params: dict[str, list[str]] = {}
    for name, values in line.params.items():
        params[name] = [_CARET.sub(lambda m: {"n": "\n", "'": '"', "^": "^"}[m.group(1)], v) for v in values]
    for bare in line.singletonparams:  # vCard 2.1: "TEL;CELL;PREF:..."
        params.setdefault("ENCODING" if bare.upper() in _ENCODINGS else "TYPE", []).append(bare)
    value = line.value if isinstance(line.value, str) else raw.partition(":")[2]
    return CardLine(raw=raw, name=line.name, group=line.group, params=params, value=value)


def escape(text: str) -> str:
    """Text as a vCard value: backslash, comma and semicolon escaped, line breaks written as \\n."""
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def unescape(text: str) -> str:
    """A vCard text value as text, line breaks as LF (QUOTED-PRINTABLE ones are CRLF); an unknown escape is kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ESCAPE.sub(
        lambda m: "\n" if m.group(1) in "nN" else m.group(1) if m.group(1) in "\\,;:" else m.group(0), text
    )


def split_escaped(text: str, separator: str) -> list[str]:
    """`text` split at each `separator` that is not escaped; the pieces are still escaped."""
    pieces, start, index = [], 0, 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == separator:
            pieces.append(text[start:index])
            start = index + 1
        index += 1
    pieces.append(text[start:])
    return pieces


def structured(value: str) -> list[list[str]]:
    """A structured value (N, ADR, ORG): its components, each a list of unescaped values."""
    return [[unescape(part) for part in split_escaped(component, ",")] for component in split_escaped(value, ";")]


def components(value: str, count: int) -> list[list[str]]:
    """A structured value's components, empty values left out, padded to `count` components."""
    components = [[part.strip() for part in component if part.strip()] for component in structured(value)]
    return components + [[] for _ in range(count - len(components))]


def join_structured(components: list[list[str]]) -> str:
    """The inverse of `structured`."""
    return ";".join(",".join(escape(part) for part in component) for component in components)


def param_text(value: str) -> str:
    """A parameter value as written: RFC 6868 caret escapes, and quotes when it holds `:`, `;` or `,`."""
    value = value.replace("^", "^^").replace("\r\n", "^n").replace("\n", "^n").replace('"', "^'")
    return f'"{value}"' if any(character in value for character in ":;,") else value


def fold_line(line: str) -> str:
    """A content line folded at 75 octets (RFC 6350 3.2), never inside a UTF-8 sequence."""
    if len(line) <= 75 and line.isascii():
        return line
    pieces: list[str] = []
    start, size = 0, 0
    for index, character in enumerate(line):
        octets = len(character.encode())
        if size + octets > 75:
            pieces.append(line[start:index])
            start, size = index, 1  # a continuation line starts with one space
        size += octets
    pieces.append(line[start:])
    return "\r\n ".join(pieces)
