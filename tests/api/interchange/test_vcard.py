"""vCard import (2.1, 3.0, 4.0 as real address books write them) and export (4.0)."""

from collections.abc import Iterator
from typing import Any

import pytest

from api.interchange.vcard import MAX_CARD_BYTES, read_vcards, to_vcard
from tests.api.interchange import MAPPED_FIELDS, PHOTO, api_contact, assert_valid, contact_of, fixture_lines


def read(name: str) -> list[Any]:
    return list(read_vcards(fixture_lines(name)))


def entry(value: str, label: str | None = None, primary: bool = False, original: str | None = None) -> dict[str, Any]:
    return {"value": value, "label": label, "primary": primary, "original": original}


def test_apple_card_maps_grouped_labels_and_keeps_the_photo() -> None:
    ada, acme = read("apple.vcf")
    assert ada.number == 1
    assert ada.problem is None
    contact = ada.contact
    assert contact["name"] == "Ada Lovelace"
    assert (contact["given_name"], contact["family_name"], contact["nickname"]) == ("Ada", "Lovelace", "Ada")
    assert (contact["company"], contact["job_title"]) == ("Analytical Engines Ltd", "Mathematician")
    assert contact["notes"] == "Wrote the first program, for the Analytical Engine.\nLoves poetry."
    assert contact["birthday"] == "1815-12-10"
    assert contact["tags"] == ["math", "poetry"]
    assert contact["emails"] == [
        entry("ada@example.com", "other", primary=True),
        entry("ada@engines.example", "work"),
    ]
    assert contact["phones"] == [entry("(415) 555-0123", "mobile", primary=True), entry("+44 20 7946 0958", "lab")]
    assert contact["addresses"] == [
        {"label": "home", "street": "12 St James's Square", "city": "London", "region": None,
         "postal_code": "SW1Y 4JH", "country": "GB"},
    ]  # fmt: skip
    assert contact["external_id"] == "4B0D0E8A-1E2F-4C3D-9A8B-7C6D5E4F3A2B"
    assert "id_hint" not in contact
    photo = next(line for line in ada.properties if line.startswith("PHOTO"))
    assert photo.startswith("PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRg")
    assert len(photo) == len("PHOTO;ENCODING=b;TYPE=JPEG:") + 532  # every folded piece, no fold spaces
    assert ada.properties[:4] == [
        "N:Lovelace;Ada;Augusta;Hon.;",
        "ORG:Analytical Engines Ltd;Research",
        "item4.URL;type=pref:https://example.com/ada",
        "item4.X-ABLabel:_$!<HomePage>!$_",
    ]
    assert not any("X-ABADR" in line or "item1." in line or "PRODID" in line for line in ada.properties)
    assert acme.number == 34
    assert (acme.contact["name"], acme.contact["company"], acme.contact["birthday"]) == ("Acme Corp", "Acme Corp", None)
    assert acme.properties == ["BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-14", "X-ABShowAs:COMPANY"]


def test_google_card_drops_system_categories_and_converts_the_country_name() -> None:
    (grace,) = read("google.vcf")
    assert grace.contact["tags"] == ["Pioneers"]
    assert grace.contact["notes"] == 'Coined "debugging"'
    assert grace.contact["phones"] == [entry("+1 202-555-0147", "mobile"), entry("(202) 555-0199", "work")]
    assert grace.contact["addresses"][0]["country"] == "US"
    assert grace.contact["external_id"].startswith("sha256:")
    assert grace.properties == [
        "N:Hopper;Grace;;Rear Admiral;",
        "item1.URL:https\\://en.wikipedia.org/wiki/Grace_Hopper",
        "item1.X-ABLabel:",
    ]


def test_outlook_quoted_printable_with_soft_breaks_and_charsets_is_decoded() -> None:
    zoe, francois = read("outlook.vcf")
    assert zoe.contact["name"] == "Zoë Müller"
    assert (zoe.contact["given_name"], zoe.contact["family_name"]) == ("Zoë", "Müller")
    assert zoe.contact["company"] == "Bäckerei Müller GmbH"
    assert zoe.contact["notes"] == (
        "Erste Zeile\nZweite Zeile mit einem sehr langen Text, der umgebrochen wird, für Müller."
    )
    assert zoe.contact["phones"] == [
        entry("+49 30 1234567", "work"),
        entry("+49 151 23456789", "mobile"),
        entry("+49 30 1234568", "work fax"),
    ]
    assert zoe.contact["emails"] == [entry("zoe@baeckerei.example", primary=True)]
    assert zoe.contact["addresses"][0] == {
        "label": "work", "street": "Hauptstraße 5", "city": "Berlin", "region": None,
        "postal_code": "10115", "country": "DE",
    }  # fmt: skip
    assert zoe.properties == [
        "LABEL;WORK;PREF;ENCODING=QUOTED-PRINTABLE:Hauptstra=C3=9Fe 5=0D=0ABerlin 10115",
        "X-MS-OL-DEFAULT-POSTAL-ADDRESS:2",
    ]
    assert francois.number == 18
    assert francois.contact["name"] == "François Château"
    assert francois.properties[0].startswith("PHOTO;TYPE=JPEG;ENCODING=BASE64:")


def test_v4_cards_read_types_pref_and_uid_and_a_missing_end_does_not_stop_the_rest() -> None:
    simon, katherine, broken, alan, nameless = read("v4.vcf")
    assert simon.contact["external_id"] == "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
    assert simon.contact["phones"] == [
        entry("+1-418-656-9254;ext=102", "work", primary=True),
        entry("+1-418-262-6501", "work mobile"),
    ]
    assert simon.contact["addresses"][0]["street"] == "2875 Laurier, Suite D2-630"
    assert simon.contact["addresses"][0]["country"] == "CA"
    assert simon.contact["birthday"] is None
    assert "BDAY:--0203" in simon.properties
    assert "N:Perreault;Simon;;;ing. jr,M.Sc." in simon.properties
    assert katherine.contact["birthday"] == "1918-08-26"
    assert [email["primary"] for email in katherine.contact["emails"]] == [True, False]
    assert katherine.contact["id_hint"] == katherine.contact["external_id"] == "6b081b01192d8ee71ccc146a"
    assert (broken.number, broken.contact, broken.problem) == (28, None, "the card has no END:VCARD")
    assert (alan.number, alan.contact["name"]) == (32, "Alan Turing")
    assert (nameless.number, nameless.contact, nameless.pointer) == (37, None, "/FN")
    assert nameless.problem is not None


@pytest.mark.parametrize("name", ["apple.vcf", "google.vcf", "outlook.vcf", "v4.vcf"])
def test_every_mapped_card_passes_the_contact_model(name: str) -> None:
    contacts = [row.contact for row in read(name) if row.contact is not None]
    assert contacts
    for contact in contacts:
        assert_valid(contact)


def test_a_card_without_uid_gets_the_same_content_hash_each_time() -> None:
    first = [contact_of(row)["external_id"] for row in read("google.vcf")]
    assert first == [contact_of(row)["external_id"] for row in read("google.vcf")]
    changed = "".join(fixture_lines("google.vcf")).replace("Computer Scientist", "Admiral")
    assert contact_of(next(read_vcards(changed)))["external_id"] != first[0]


def test_reading_streams_one_card_at_a_time() -> None:
    def lines() -> Iterator[str]:
        yield from ["BEGIN:VCARD\r\n", "VERSION:4.0\r\n", "FN:First\r\n", "END:VCARD\r\n"]
        raise RuntimeError("read past the first card")

    rows = read_vcards(lines())
    assert contact_of(next(rows))["name"] == "First"
    with pytest.raises(RuntimeError):
        next(rows)


def test_a_card_larger_than_the_limit_is_a_problem_and_the_next_is_read() -> None:
    data = "A" * 74
    huge = ["BEGIN:VCARD\n", "FN:Huge\n", "PHOTO;ENCODING=b:" + data + "\n"]
    huge += [" " + data + "\n"] * (MAX_CARD_BYTES // 74 + 1)
    rows = list(read_vcards([*huge, "END:VCARD\n", "BEGIN:VCARD\n", "FN:Small\n", "END:VCARD\n"]))
    assert rows[0].number == 1
    assert rows[0].problem == f"the card is larger than {MAX_CARD_BYTES} bytes"
    assert contact_of(rows[1])["name"] == "Small"


def test_vobject_pitfalls_are_avoided() -> None:
    card = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Lovelace, Ada\nNICKNAME:Ada,Countess\nN:a\\\\;b;c\\,d;;\n"
        'TEL;TYPE="voice,cell":1\nEND:VCARD\n'
    )
    (row,) = read_vcards(card)
    assert contact_of(row)["name"] == "Lovelace, Ada"  # vobject keeps "Lovelace"
    assert contact_of(row)["nickname"] == "Ada,Countess"
    assert (contact_of(row)["family_name"], contact_of(row)["given_name"]) == ("a\\", "b")  # vobject reads family "a;b"
    assert row.properties == ["N:a\\\\;b;c\\,d;;"]
    assert contact_of(row)["phones"][0]["label"] == "mobile"


def test_export_then_import_gives_back_the_client_fields_and_properties() -> None:
    contact = api_contact()
    (row,) = read_vcards(to_vcard(contact))
    assert {field: contact_of(row)[field] for field in MAPPED_FIELDS} == {
        field: contact[field] for field in MAPPED_FIELDS
    }
    assert row.properties == contact["vcard_properties"]
    assert contact_of(row)["external_id"] == contact_of(row)["id_hint"] == contact["id"]
    assert_valid(contact_of(row))


def test_import_export_import_is_stable_for_every_fixture() -> None:
    for name in ("apple.vcf", "google.vcf", "outlook.vcf", "v4.vcf"):
        for first in (row for row in read(name) if row.contact):
            stored = first.contact | {"id": "6b081b01192d8ee71ccc146a", "vcard_properties": first.properties}
            (second,) = read_vcards(to_vcard(stored))
            assert second.contact == first.contact, name
            assert second.properties == first.properties, name


def test_export_writes_vcard_4_with_uid_pref_tel_uri_and_rev() -> None:
    lines = to_vcard(api_contact(external_id="urn:uuid:abc")).replace("\r\n ", "").split("\r\n")
    assert lines[:4] == [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "UID:urn:uuid:abc",
        "FN:Ada Lovelace\\, Countess\\; of \\\\ Lovelace",
    ]
    assert "N:Lovelace;Ada;Augusta;Hon.;" in lines
    assert "ORG:Analytical Engines;Research" in lines
    assert "NOTE:First line\\nSecond line\\, with a comma\\; a semicolon and a \\\\ backslash" in lines
    assert "BDAY;VALUE=date:18151210" in lines
    assert "CATEGORIES:math,poetry\\, prose" in lines
    assert "EMAIL;TYPE=work;PREF=1;X-ORIGINAL=ada@EXAMPLE.com:ada@example.com" in lines
    assert "TEL;VALUE=uri;TYPE=cell;PREF=1;X-ORIGINAL=(415) 555-0123:tel:+14155550123" in lines
    assert "TEL;VALUE=uri;TYPE=work,fax:tel:+442079460958" in lines
    assert "ADR;TYPE=home;CC=GB:;;12 St James's Square\\, Flat 2;London;England;SW1Y 4JH;United Kingdom" in lines
    assert "REV:20260203T040506Z" in lines
    assert lines[-3:] == [PHOTO, "END:VCARD", ""]
    assert "UID:6b081b01192d8ee71ccc146a" not in lines
    assert "UID;VALUE=text:6b081b01192d8ee71ccc146a" in to_vcard(api_contact()).split("\r\n")


def test_lines_are_folded_at_75_octets_without_splitting_characters() -> None:
    name = "Zoë Müller 🎉 " * 20
    text = to_vcard(api_contact(name=name.strip(), vcard_properties=[]))
    physical = text.encode().split(b"\r\n")
    assert all(len(line) <= 75 for line in physical)
    assert max(len(line) for line in physical) >= 72
    for line in physical:
        line.decode()  # each piece is whole UTF-8 characters
    assert f"FN:{name.strip()}" in text.replace("\r\n ", "").split("\r\n")
    (row,) = read_vcards(text)
    assert contact_of(row)["name"] == name.strip()


def test_a_year_less_birthday_and_an_unknown_country_are_kept() -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nBDAY:--12-10\r\nADR:;;1 Main St;Springfield;;;Atlantis\r\nEND:VCARD\r\n"
    )
    (row,) = read_vcards(card)
    assert contact_of(row)["birthday"] is None
    assert row.properties == ["BDAY:--12-10"]
    address = {"label": None, "street": "1 Main St", "city": "Springfield", "region": "Atlantis", "postal_code": None}
    assert contact_of(row)["addresses"] == [address | {"country": None}]
