"""CSV import (our files, Google's new and old exports, Outlook's) and export (our columns, Google's names)."""

import csv
import io
from typing import Any

import pytest

from api.interchange.csv_format import CSV_COLUMNS, read_csv, to_csv_row
from tests.api.interchange import MAPPED_FIELDS, api_contact, assert_valid, contact_of, fixture_lines


def read(name: str) -> list[Any]:
    return list(read_csv(fixture_lines(name)))


def entry(value: str, label: str | None = None, primary: bool = False) -> dict[str, Any]:
    return {"value": value, "label": label, "primary": primary, "original": None}


def as_file(*rows: list[str]) -> list[str]:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return io.StringIO(out.getvalue(), newline="").readlines()


def test_google_export_maps_labels_primary_and_several_values_in_one_cell() -> None:
    ada, zoe, broken, nameless, acme = read("google.csv")
    assert ada.number == 2
    assert ada.properties == []
    contact = ada.contact
    assert (contact["name"], contact["given_name"], contact["family_name"]) == ("Ada Lovelace", "Ada", "Lovelace")
    assert (contact["company"], contact["job_title"], contact["nickname"]) == (
        "Analytical Engines",
        "Mathematician",
        "Ada",
    )
    assert contact["notes"] == "Wrote the first program.\nLoves poetry."
    assert contact["birthday"] == "1815-12-10"
    assert contact["tags"] == ["Math"]
    assert contact["emails"] == [entry("ada@example.com", "work", primary=True), entry("ada@home.example", "home")]
    assert contact["phones"] == [
        entry("(415) 555-0123", "mobile"),
        entry("+44 20 7946 0958", "work"),
        entry("+44 20 7946 0959", "work"),
    ]
    assert contact["addresses"] == [
        {"label": "home", "street": "12 St James's Square", "city": "London", "region": "England",
         "postal_code": "SW1Y 4JH", "country": "GB"},
    ]  # fmt: skip
    assert contact["external_id"].startswith("sha256:")
    assert zoe.number == 6  # Ada's notes and formatted address span lines 2-5
    assert zoe.contact["name"] == "Zoë Müller"
    assert (zoe.contact["birthday"], zoe.contact["notes"]) == (None, "Birthday: --03-14")
    assert zoe.contact["addresses"][0]["street"] == "Hauptstraße 5, 2. OG"
    assert zoe.contact["addresses"][0]["country"] == "DE"
    assert (broken.number, broken.contact) == (7, None)
    assert broken.problem is not None
    assert broken.problem.startswith("the row cannot be read")
    assert (nameless.number, nameless.contact) == (8, None)
    assert (acme.number, acme.contact["name"], acme.contact["company"]) == (9, "Acme Corp", "Acme Corp")


def test_google_old_header_is_read_and_system_groups_are_dropped() -> None:
    (alan,) = read("google_old.csv")
    contact = alan.contact
    assert contact["name"] == "Alan Turing"
    assert (contact["given_name"], contact["family_name"]) == ("Alan", "Turing")
    assert (contact["company"], contact["job_title"]) == ("GC&CS", "Cryptanalyst")
    assert contact["tags"] == ["Cryptography"]
    assert contact["emails"] == [entry("alan@bletchley.example", "work"), entry("alan@home.example", "home", True)]
    assert contact["phones"] == [entry("+44 7700 900123", "mobile")]
    assert contact["addresses"] == [
        {"label": "work", "street": "Bletchley Park, PO Box 9", "city": "Milton Keynes", "region": None,
         "postal_code": "MK3 6EB", "country": "GB"},
    ]  # fmt: skip


def test_outlook_export_with_bom_multiline_notes_and_a_malformed_row() -> None:
    grace, malformed, zoe = read("outlook.csv")
    contact = grace.contact
    assert grace.number == 2
    assert contact["name"] == "Rear Admiral Grace Brewster Hopper"
    assert contact["notes"] == 'First line\nSecond line, with a comma and "quotes"'
    assert contact["birthday"] == "1906-12-09"
    assert contact["tags"] == ["Pioneers", "Navy"]
    assert contact["emails"] == [entry("grace@navy.example"), entry("grace.hopper@gmail.example")]
    assert contact["phones"] == [
        entry("(202) 555-0199", "work"),
        entry("+1 202-555-0147", "mobile"),
        entry("(202) 555-0198", "work fax"),
    ]
    assert contact["addresses"] == [
        {"label": "work", "street": "1 Navy Way", "city": "Arlington", "region": "VA", "postal_code": "22202",
         "country": "US"},
    ]  # fmt: skip
    assert (malformed.number, malformed.contact, malformed.problem) == (4, None, "the row has 65 cells, the header 62")
    assert zoe.number == 5
    assert (zoe.contact["birthday"], zoe.contact["notes"]) == (None, None)  # Outlook's 0/0/00 is no birthday
    assert zoe.contact["addresses"][0]["label"] == "home"


@pytest.mark.parametrize("name", ["google.csv", "google_old.csv", "outlook.csv"])
def test_every_mapped_row_passes_the_contact_model(name: str) -> None:
    contacts = [row.contact for row in read(name) if row.contact is not None]
    assert contacts
    for contact in contacts:
        assert_valid(contact)


def test_reimporting_the_same_file_gives_the_same_external_ids() -> None:
    first = [contact_of(row)["external_id"] for row in read("google.csv") if row.contact]
    assert first == [contact_of(row)["external_id"] for row in read("google.csv") if row.contact]
    assert len(set(first)) == len(first)


def test_a_header_without_a_name_column_is_one_problem_at_line_1() -> None:
    rows = list(read_csv(as_file(["E-mail 1 - Value", "Notes"], ["ada@example.com", "hi"])))
    assert [(row.number, row.contact) for row in rows] == [(1, None)]
    assert rows[0].problem is not None


def test_a_bad_birthday_points_at_its_column() -> None:
    (row,) = read_csv(as_file(["First Name", "Birthday"], ["Ada", "tomorrow"]))
    assert (row.contact, row.pointer) == (None, "/Birthday")


def test_export_header_uses_google_names_for_channels() -> None:
    assert CSV_COLUMNS[:11] == (
        "id", "external_id", "name", "given_name", "family_name", "nickname", "company", "job_title", "birthday",
        "notes", "tags",
    )  # fmt: skip
    assert CSV_COLUMNS[11:13] == ("E-mail 1 - Label", "E-mail 1 - Value")
    assert "Phone 3 - Value" in CSV_COLUMNS
    assert CSV_COLUMNS[-1] == "Address 2 - Country"
    assert len(to_csv_row(api_contact())) == len(CSV_COLUMNS)


def test_export_then_import_gives_back_the_client_fields() -> None:
    contact = api_contact()
    row = dict(zip(CSV_COLUMNS, to_csv_row(contact), strict=True))
    assert (row["id"], row["external_id"], row["tags"]) == (contact["id"], "", "math ::: poetry, prose")
    assert (row["E-mail 1 - Label"], row["Phone 2 - Label"]) == ("* work", "work fax")
    (imported,) = read_csv(as_file(list(CSV_COLUMNS), to_csv_row(contact)))
    expected = {field: contact[field] for field in MAPPED_FIELDS}
    for key in ("emails", "phones"):  # CSV keeps the normalised value, not the client's spelling
        expected[key] = [item | {"original": None} for item in contact[key]]
    assert {field: contact_of(imported)[field] for field in MAPPED_FIELDS} == expected
    assert contact_of(imported)["id_hint"] == contact["id"]
    assert contact_of(imported)["external_id"].startswith("sha256:")
    assert_valid(contact_of(imported))


def test_an_exported_external_id_is_read_back() -> None:
    (imported,) = read_csv(as_file(list(CSV_COLUMNS), to_csv_row(api_contact(external_id="crm-42"))))
    assert contact_of(imported)["external_id"] == "crm-42"


def test_more_than_three_emails_are_cut_in_csv() -> None:
    emails = [{"value": f"a{n}@example.com", "label": None, "primary": False, "original": None} for n in range(5)]
    (imported,) = read_csv(as_file(list(CSV_COLUMNS), to_csv_row(api_contact(emails=emails))))
    assert [email["value"] for email in contact_of(imported)["emails"]] == [
        "a0@example.com",
        "a1@example.com",
        "a2@example.com",
    ]
