"""The shapes of groups and memberships in the API, derived from `GroupFields` (models/group.py)."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.http.problems import ProblemDetails
from models.fields import LongText, ObjectIdHex, ShortText
from models.group import GroupFields

MAX_MEMBERS_PER_REQUEST = 1000
GROUP_EXAMPLE: dict[str, Any] = {"name": "Book club", "description": "Second Tuesday of the month."}
STORED_GROUP_EXAMPLE: dict[str, Any] = {
    "id": "6b081b01192d8ee71ccc1470",
    **GROUP_EXAMPLE,
    "member_count": 12,
    "created_at": "2026-11-26T11:41:53.787000Z",
    "updated_at": "2026-11-27T09:12:01.004000Z",
    "version": 3,
}


class GroupWrite(GroupFields):
    """The body that creates a group."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [GROUP_EXAMPLE]})


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class GroupPatch(BaseModel):
    """A JSON Merge Patch (RFC 7396) of a group: `description: null` clears it; `name` cannot be cleared."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "Readers"}]})

    # Not nullable (a group always has a name), yet optional: no `default` in the contract.
    name: ShortText = Field(
        default=None,  # type: ignore[assignment]
        description="1-200 characters; unique in the tenant, ignoring case.",
        json_schema_extra=_without_default,
    )
    description: LongText | None = None


class GroupOut(BaseModel):
    """A group as the API returns it."""

    model_config = ConfigDict(json_schema_extra={"examples": [STORED_GROUP_EXAMPLE]})

    id: ObjectIdHex = Field(description="Server-generated id (24 hex digits).")
    name: str
    description: str | None
    member_count: int = Field(ge=0, description="How many live contacts belong to the group.")
    created_at: datetime
    updated_at: datetime
    version: int = Field(ge=1, description="+1 on every change, members included; the ETag is it in quotes.")


class GroupPage(BaseModel):
    """One page of groups, by name, and the cursor of the next page (null on the last page)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [STORED_GROUP_EXAMPLE], "next_cursor": None}]})

    items: list[GroupOut]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


class GroupListParams(BaseModel):
    """The query of the group listing."""

    limit: int = Field(default=20, ge=1, le=100, description="Page size, 1-100.")
    cursor: str | None = Field(default=None, max_length=1024, description="`next_cursor` of the previous page.")


class MemberIds(BaseModel):
    """The contacts to add to a group, or to remove from it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"ids": ["6b081b01192d8ee71ccc146a"]}]})

    ids: list[Annotated[str, StringConstraints(max_length=64)]] = Field(
        min_length=1, max_length=MAX_MEMBERS_PER_REQUEST, description=f"Up to {MAX_MEMBERS_PER_REQUEST} contact ids."
    )


class MemberResult(BaseModel):
    """One id's outcome: 200 with whether the membership changed, or 404 with the problem."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": 200, "id": "6b081b01192d8ee71ccc146a", "changed": True}]}
    )

    status: int
    id: str
    changed: bool | None = Field(
        default=None, description="200: true if this request added (or removed) it, false if it already was (not)."
    )
    problem: ProblemDetails | None = None


class MemberResults(BaseModel):
    """Per-id outcomes, in the order of the request's ids, and the group's member count after them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {"status": 200, "id": "6b081b01192d8ee71ccc146a", "changed": True},
                        {
                            "status": 404,
                            "id": "6b081b01192d8ee71ccc146b",
                            "problem": {
                                "type": "about:blank",
                                "title": "Not Found",
                                "status": 404,
                                "detail": "No contact has this id.",
                            },
                        },
                    ],
                    "member_count": 13,
                }
            ]
        }
    )

    results: list[MemberResult]
    member_count: int = Field(ge=0)
