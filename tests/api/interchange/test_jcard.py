"""jCard export (RFC 7095): the same properties as the vCard, in the JSON form the RFC's examples show."""

import json
from typing import Any

from api.interchange.jcard import to_jcard
from tests.api.interchange import PHOTO, api_contact


def properties(contact: dict[str, Any]) -> list[list[Any]]:
    jcard = to_jcard(contact)
    assert jcard[0] == "vcard"
    assert len(jcard) == 2
    json.dumps(jcard)  # plain JSON values only
    result: list[list[Any]] = jcard[1]
    return result


def named(items: list[list[Any]], name: str) -> list[list[Any]]:
    return [item for item in items if item[0] == name]


def test_every_property_is_name_parameters_type_and_values_with_version_first() -> None:
    items = properties(api_contact())
    assert items[0] == ["version", {}, "text", "4.0"]
    for item in items:
        assert isinstance(item[0], str)
        assert item[0] == item[0].lower()
        assert isinstance(item[1], dict)
        assert isinstance(item[2], str)
        assert len(item) >= 4


def test_fields_map_as_in_the_rfc_examples() -> None:
    items = properties(api_contact())
    assert named(items, "uid") == [["uid", {}, "text", "6b081b01192d8ee71ccc146a"]]
    assert named(items, "fn") == [["fn", {}, "text", "Ada Lovelace, Countess; of \\ Lovelace"]]
    assert named(items, "n") == [["n", {}, "text", ["Lovelace", "Ada", "Augusta", "Hon.", ""]]]
    assert named(items, "nickname") == [["nickname", {}, "text", "Ada, dear"]]
    assert named(items, "org") == [["org", {}, "text", ["Analytical Engines", "Research"]]]
    assert named(items, "bday") == [["bday", {}, "date", "1815-12-10"]]
    assert named(items, "categories") == [["categories", {}, "text", "math", "poetry, prose"]]
    assert named(items, "email") == [
        ["email", {"type": "work", "pref": "1", "x-original": "ada@EXAMPLE.com"}, "text", "ada@example.com"],
        ["email", {"type": "best friend"}, "text", "ada@home.example"],
    ]
    assert named(items, "tel") == [
        ["tel", {"type": "cell", "pref": "1", "x-original": "(415) 555-0123"}, "uri", "tel:+14155550123"],
        ["tel", {"type": ["work", "fax"]}, "uri", "tel:+442079460958"],
    ]
    assert named(items, "adr") == [
        ["adr", {"type": "home", "cc": "GB"}, "text",
         ["", "", "12 St James's Square, Flat 2", "London", "England", "SW1Y 4JH", "United Kingdom"]],
    ]  # fmt: skip
    assert named(items, "rev") == [["rev", {}, "timestamp", "2026-02-03T04:05:06Z"]]
    assert named(items, "note")[0][3].startswith("First line\nSecond line, with a comma;")


def test_stored_lines_are_converted_as_their_property_allows() -> None:
    stored = [
        "N:Perreault;Simon;;;ing. jr,M.Sc.",
        "BDAY:--0203",
        "ANNIVERSARY:20090808T1430-0500",
        "item1.URL;TYPE=home:http://nomis80.org",
        "item1.X-ABLabel:blog",
        'TEL;VALUE=uri;TYPE="work,voice":tel:+1-418-656-9254;ext=102',
        "X-SOCIALPROFILE;type=twitter:@ada",
        "GENDER:M;Fellow",
        PHOTO,
    ]
    items = properties(api_contact(vcard_properties=stored, given_name="Simon", family_name="Perreault"))
    assert named(items, "n") == [["n", {}, "text", ["Perreault", "Simon", "", "", ["ing. jr", "M.Sc."]]]]
    assert named(items, "bday")[1] == ["bday", {}, "date-and-or-time", "--02-03"]
    assert named(items, "anniversary") == [["anniversary", {}, "date-and-or-time", "2009-08-08T14:30-05:00"]]
    assert named(items, "url") == [["url", {"group": "item1", "type": "home"}, "uri", "http://nomis80.org"]]
    assert named(items, "x-ablabel") == [["x-ablabel", {"group": "item1"}, "unknown", "blog"]]
    assert named(items, "tel")[-1] == ["tel", {"type": ["work", "voice"]}, "uri", "tel:+1-418-656-9254;ext=102"]
    assert named(items, "x-socialprofile") == [["x-socialprofile", {"type": "twitter"}, "unknown", "@ada"]]
    assert named(items, "gender") == [["gender", {}, "text", ["M", "Fellow"]]]
    photo = PHOTO.partition(":")[2]
    assert named(items, "photo") == [["photo", {}, "uri", f"data:image/jpeg;base64,{photo}"]]


def test_a_contact_without_optional_fields_has_only_what_it_holds() -> None:
    contact = {"id": "6b081b01192d8ee71ccc146a", "name": "Ada", "external_id": "urn:uuid:1", "tags": []}
    assert to_jcard(contact) == [
        "vcard",
        [["version", {}, "text", "4.0"], ["uid", {}, "uri", "urn:uuid:1"], ["fn", {}, "text", "Ada"]],
    ]
