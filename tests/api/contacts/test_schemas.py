"""The API's contact shapes agree with the one declaration of a contact's fields (models/contact.py)."""

from typing import Any

import pytest
from pydantic import ValidationError

from api.contacts.listing import OUTPUT_FIELDS
from api.contacts.schemas import ContactListItem, ContactOut, ContactPatch, ContactWrite
from models.contact import CLIENT_FIELDS, SERVER_FIELDS, ContactFields


def _rule(schema: dict[str, Any]) -> dict[str, Any]:
    """A property's constraints, without its nullability and documentation."""
    branches = [branch for branch in schema.get("anyOf", [schema]) if branch != {"type": "null"}]
    assert len(branches) == 1, schema
    return {key: value for key, value in branches[0].items() if key not in {"title", "description", "default"}}


def test_the_write_schema_is_exactly_the_declared_client_fields() -> None:
    assert tuple(ContactWrite.model_fields) == CLIENT_FIELDS == tuple(ContactFields.model_fields)


def test_the_output_and_the_list_item_have_id_the_client_fields_and_the_server_fields() -> None:
    assert ("id", *CLIENT_FIELDS, *SERVER_FIELDS) == OUTPUT_FIELDS
    assert tuple(ContactOut.model_fields) == OUTPUT_FIELDS
    assert tuple(ContactListItem.model_fields) == OUTPUT_FIELDS


def test_a_list_item_needs_only_its_id() -> None:
    required = [name for name, field in ContactListItem.model_fields.items() if field.is_required()]

    assert required == ["id"]


def test_the_patch_has_every_client_field_optional_with_the_write_rules() -> None:
    write = ContactWrite.model_json_schema()["properties"]
    patch = ContactPatch.model_json_schema()

    assert tuple(patch["properties"]) == CLIENT_FIELDS
    assert "required" not in patch
    for name in CLIENT_FIELDS:
        assert _rule(patch["properties"][name]) == _rule(write[name]), name


def test_null_clears_every_patch_field_but_the_name() -> None:
    nullable = {name for name, schema in ContactPatch.model_json_schema()["properties"].items() if "anyOf" in schema}

    assert nullable == set(CLIENT_FIELDS) - {"name"}
    with pytest.raises(ValidationError):
        ContactPatch.model_validate({"name": None})


@pytest.mark.parametrize(
    "patch",
    [
        {"tags": ["VIP", "vip"]},
        {"emails": [{"value": "a@example.com", "primary": True}, {"value": "b@example.com", "primary": True}]},
        {"bogus": 1},
    ],
)
def test_the_patch_refuses_what_no_contact_may_hold(patch: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ContactPatch.model_validate(patch)


def test_the_write_schema_refuses_unknown_and_server_set_fields() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        ContactWrite.model_validate({"name": "Ada", "created_at": "2020-01-01T00:00:00Z"})
