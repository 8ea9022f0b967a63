"""The contact's fields, ids, times and derived keys (models/contact.py)."""

import pytest
from pydantic import ValidationError

from models.contact import (
    CARD_PROPERTIES,
    CHANGE_FIELDS,
    CLIENT_FIELDS,
    DERIVED_KEYS,
    EXTENSION_FIELD,
    GROUPS_FIELD,
    HIDDEN_FIELDS,
    MERGE_FIELDS,
    Contact,
    ContactFields,
    derived_keys,
    is_contact_id,
    new_contact_id,
    stored_fields,
    utc_now,
)


def test_ids_are_24_hex_and_time_ordered() -> None:
    first = new_contact_id()
    second = new_contact_id()  # the same second: ObjectId's counter orders them

    assert len(first) == 24
    assert int(first, 16) >= 0
    assert first < second


def test_utc_now_has_millisecond_precision() -> None:
    assert utc_now().microsecond % 1000 == 0
    assert utc_now().utcoffset() is not None


@pytest.mark.parametrize("name", ["Ada", "  Zoë Ünlü  ", "李小龍", "x" * 200])
def test_valid_names_are_trimmed(name: str) -> None:
    assert ContactFields(name=name).name == name.strip()


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "a\x00b"])
def test_invalid_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        ContactFields(name=name)


@pytest.mark.parametrize(
    ("value", "valid"),
    [("6b081b01192d8ee71ccc146a", True), ("6B081B01192D8EE71CCC146A", False), ("6b081b01", False), (None, False)],
)
def test_contact_ids_are_24_lower_case_hex_digits(value: object, valid: bool) -> None:
    assert is_contact_id(value) is valid


def test_derived_keys_are_the_declared_hidden_fields_and_the_document_declares_them() -> None:
    keys = derived_keys(ContactFields(name="Ada", company="Analytical Engines"))

    assert tuple(keys) == DERIVED_KEYS
    # Stored, never returned: the tenant, the derived keys, a migrated document's and an import's leftovers,
    # the contact's place in the change feed, its groups, and its part in merges.
    assert set(HIDDEN_FIELDS) == {
        "tenant",
        *DERIVED_KEYS,
        EXTENSION_FIELD,
        CARD_PROPERTIES,
        *CHANGE_FIELDS,
        GROUPS_FIELD,
        *MERGE_FIELDS,
    }
    assert set(CHANGE_FIELDS) == {"owner", "seq", "first_seq", "deleted_at", "change"}
    assert CARD_PROPERTIES == "vcard_properties"
    assert not set(HIDDEN_FIELDS) & set(CLIENT_FIELDS)
    assert set(HIDDEN_FIELDS) <= set(Contact.model_fields)
    assert set(CLIENT_FIELDS) <= set(Contact.model_fields)


def test_an_unset_company_derives_no_company_key() -> None:
    assert derived_keys(ContactFields(name="Ada"))["company_key"] is None
    assert "company_key" not in stored_fields(ContactFields(name="Ada"))


def test_search_terms_cover_names_words_emails_and_phone_digits() -> None:
    contact = ContactFields.model_validate(
        {
            "name": "Zoë Ünlü",
            "family_name": "Ünlü",
            "emails": [{"value": "Zoe@Example.com"}],
            "phones": [{"value": "(415) 555-0123"}],
            "tags": ["VIP", "Berlin"],
        }
    )

    keys = derived_keys(contact)

    assert {"zoë ünlü", "zoë", "ünlü", "zoe@example.com", "14155550123", "4155550123"} <= set(keys["search_terms"])
    assert keys["tag_keys"] == ["berlin", "vip"]
    assert keys["name_key"] == "zoë ünlü"


def test_phone_keys_are_the_e164_numbers_sorted_and_unique() -> None:
    phones = [{"value": "+44 20 7946 0958"}, {"value": "+1 (415) 555-0123"}, {"value": "+14155550123"}]
    contact = ContactFields.model_validate({"name": "Ada", "phones": phones})

    assert derived_keys(contact)["phone_keys"] == ["+14155550123", "+442079460958"]
    assert derived_keys(ContactFields(name="Ada"))["phone_keys"] == []
