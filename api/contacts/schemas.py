"""The shapes of contacts in the API, all derived from `ContactFields` (models/contact.py).

`ContactWrite` is those fields as a request body, `ContactPatch` the same fields made optional,
`ContactOut` the response, and `ContactListItem` the response made optional (for `fields=`).
`tests/api/contacts/test_schemas.py` fails if `ContactOut` stops matching the declaration.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Body
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    create_model,
    field_validator,
    model_serializer,
)

from api.contacts.examples import CONTACT_EXAMPLE, STORED_CONTACT_EXAMPLE
from api.contacts.listing import FIELDS_PATTERN, SELECTABLE_FIELDS, SORT_KEYS
from api.http.problems import ProblemDetails
from models.channels import AddressView, ChannelView, check_single_primary
from models.contact import ContactFields, check_unique_tags
from models.fields import ObjectIdHex, SearchText, Timestamp


class ContactWrite(ContactFields):
    """The fields a client sets: the body of create and replace, an item of bulk create."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CONTACT_EXAMPLE]})


class ContactOut(BaseModel):
    """A contact as the API returns it; unset fields are null, unset lists empty."""

    model_config = ConfigDict(json_schema_extra={"examples": [STORED_CONTACT_EXAMPLE]})

    id: ObjectIdHex = Field(description="Server-generated, time-ordered id (24 hex digits).")
    name: str
    given_name: str | None
    family_name: str | None
    nickname: str | None
    company: str | None
    job_title: str | None
    notes: str | None
    birthday: date | None
    tags: list[str]
    emails: list[ChannelView]
    phones: list[ChannelView]
    addresses: list[AddressView]
    external_id: str | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(ge=1, description="+1 on every change; the ETag is this number in quotes.")


def _without_null_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _unless_null(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: value if value is None else check(value)


def _patch_model() -> type[BaseModel]:
    # Every client field, optional; null clears it, except `name`, which a contact always has. The list rules
    # are checked on the patch too, so a bad list is a 422 before any If-Match is compared.
    validators = {
        "unique_tags": field_validator("tags")(_unless_null(check_unique_tags)),
        "single_primary": field_validator("emails", "phones")(_unless_null(check_single_primary)),
    }
    fields: dict[str, Any] = {}
    for name, info in ContactFields.model_fields.items():
        annotation = info.rebuild_annotation()
        if info.is_required():
            fields[name] = (annotation, Field(default=None, json_schema_extra=_without_null_default))
        else:
            fields[name] = (annotation | None, None)
    return create_model(
        "ContactPatch",
        __config__=ConfigDict(
            extra="forbid", json_schema_extra={"examples": [{"company": "Babbage & Co", "nickname": None}]}
        ),
        __doc__="A JSON merge patch (RFC 7396) of a contact: a field set to null is cleared, lists are replaced.",
        __module__=__name__,
        __validators__=validators,
        **fields,
    )


if TYPE_CHECKING:  # mypy cannot follow create_model; the routes only need BaseModel's methods
    ContactPatch = BaseModel
else:
    ContactPatch = _patch_model()


class _SelectedFields(BaseModel):
    """Serialises only the fields that were set: `id` plus those a listing's `fields=` selected."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [STORED_CONTACT_EXAMPLE, {"id": "6b081b01192d8ee71ccc146a", "name": "Ada Lovelace"}]
        }
    )

    # No return annotation: pydantic would take it for the serialised schema and lose the fields.
    @model_serializer(mode="wrap")
    def _only_selected_fields(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        return {key: value for key, value in handler(self).items() if key in self.model_fields_set}


def _list_item_model() -> type[BaseModel]:
    fields: dict[str, Any] = {"id": (ObjectIdHex, ...)}
    for name, info in ContactOut.model_fields.items():
        if name != "id":
            fields[name] = (info.annotation | None, None)  # type: ignore[operator]
    return create_model(
        "ContactListItem",
        __base__=_SelectedFields,
        __doc__="A contact in a listing: every field, or only `id` plus those named in `fields=`.",
        __module__=__name__,
        **fields,
    )


if TYPE_CHECKING:
    ContactListItem = BaseModel
else:
    ContactListItem = _list_item_model()


class MergedAway(BaseModel):
    """A contact that was merged into another: `Location` and `merged_into` name the survivor."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"merged_into": "6b081b01192d8ee71ccc146a", "detail": "Merged into 6b081b01192d8ee71ccc146a."}]
        }
    )

    merged_into: ObjectIdHex
    detail: str


class ContactPage(BaseModel):
    """One page of contacts and the cursor of the next page (null on the last page)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [STORED_CONTACT_EXAMPLE], "next_cursor": None}]}
    )

    items: list[ContactListItem]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


Filter = Annotated[str, StringConstraints(min_length=1, max_length=200)]
TagFilter = Annotated[str, StringConstraints(min_length=1, max_length=50)]


class ContactSelection(BaseModel):
    """Which contacts a listing selects by their fields, and in which order."""

    sort: str = Field(default="created_at", description="Sort order.", json_schema_extra={"enum": list(SORT_KEYS)})
    q: SearchText | None = Field(default=None, description="Case-insensitive prefix of a name, email or phone digits.")
    tag: list[TagFilter] | None = Field(
        default=None, max_length=10, description="Repeatable; all must match (ignoring case)."
    )
    email: str | None = Field(default=None, max_length=320, description="Exact address (normalised before matching).")
    phone: str | None = Field(
        default=None, max_length=40, description="Exact number (normalised to E.164 before matching)."
    )
    company: Filter | None = Field(default=None, description="Exact company name, ignoring case.")
    updated_since: Timestamp | None = Field(default=None, description="Only contacts changed at or after this time.")


class ContactFilters(ContactSelection):
    """Which contacts a listing or an export selects (by their fields, or a group's members), and in which order."""

    group: ObjectIdHex | None = Field(default=None, description="Only the members of this group (its id).")


class PageParams(BaseModel):
    """Page size and position, and field selection, of a contact listing."""

    limit: int = Field(default=20, ge=1, le=100, description="Page size, 1-100.")
    cursor: str | None = Field(default=None, max_length=1024, description="`next_cursor` of the previous page.")
    fields: str | None = Field(
        default=None,
        max_length=500,
        description=f"Comma-separated subset of: {', '.join(SELECTABLE_FIELDS)}. `id` is always included.",
        json_schema_extra={"pattern": FIELDS_PATTERN},
    )


class ContactListParams(PageParams, ContactFilters):
    """The query of a listing: the filters and order, then page size and position, and field selection."""


class MemberListParams(PageParams, ContactSelection):
    """The query of a group's member listing: as a contact listing's, the group being the path's."""


MAX_BULK_ITEMS = 100
BulkItems = Annotated[
    list[dict[str, Any]],
    Body(
        min_length=1,
        max_length=MAX_BULK_ITEMS,
        description="Up to 100 contacts, each shaped like the body of createContact and validated on its own.",
        examples=[[CONTACT_EXAMPLE, {"name": "Grace Hopper"}]],
    ),
]


class BulkUpdateItem(BaseModel):
    """One change of a bulk update: the contact, its JSON Merge Patch and, optionally, the ETag it assumes."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"id": "6b081b01192d8ee71ccc146a", "patch": {"company": "Acme"}, "if_match": '"3"'}]
        },
    )

    id: Annotated[str, StringConstraints(max_length=64)] = Field(description="The contact's id.")
    patch: dict[str, Any] = Field(
        title="ContactMergePatch", description="A JSON Merge Patch (RFC 7396), as the body of patchContact."
    )
    if_match: Annotated[str, StringConstraints(max_length=1024)] | None = Field(
        default=None, description="As patchContact's If-Match: the ETag of the version this change assumes."
    )


BulkUpdateItems = Annotated[
    list[BulkUpdateItem],
    Body(
        min_length=1,
        max_length=MAX_BULK_ITEMS,
        description="Up to 100 changes, applied in order, each as its own patchContact would be.",
        examples=[
            [
                {"id": "6b081b01192d8ee71ccc146a", "patch": {"company": "Acme"}, "if_match": '"3"'},
                {"id": "6b081b01192d8ee71ccc146b", "patch": {"nickname": None, "tags": ["vip"]}},
            ]
        ],
    ),
]


class BulkItemResult(BaseModel):
    """One item's outcome: its status, and the contact's id (and new ETag, for a change) or the problem."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": 201, "id": "6b081b01192d8ee71ccc146a"}]})

    status: int
    id: str | None = None
    etag: str | None = Field(default=None, description="The changed contact's new ETag (bulk update).")
    problem: ProblemDetails | None = None


class BulkResult(BaseModel):
    """Per-item outcomes, in the order of the request's items."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {"status": 201, "id": "6b081b01192d8ee71ccc146a"},
                        {
                            "status": 422,
                            "problem": {
                                "type": "/problems/validation-error",
                                "title": "Unprocessable Content",
                                "status": 422,
                                "detail": "The request has 1 invalid value.",
                                "errors": [{"location": "body", "pointer": "/name", "detail": "Field required"}],
                            },
                        },
                    ]
                }
            ]
        }
    )

    results: list[BulkItemResult]


class BulkDelete(BaseModel):
    """The ids of the contacts to delete."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"ids": ["6b081b01192d8ee71ccc146a"]}]})

    ids: list[Annotated[str, StringConstraints(max_length=64)]] = Field(min_length=1, max_length=MAX_BULK_ITEMS)
