"""A contact group: a per-tenant name, and how many live contacts belong to it.

Membership is stored on the contacts (`Contact.group_ids`), so a group's members are an indexed listing of
contacts; `member_count` is kept by every write that changes it (api/groups/counts.py says how it stays exact).
"""

from datetime import datetime
from typing import Any, ClassVar

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from models.contact import new_contact_id
from models.fields import LongText, ShortText

GROUP_ID_PATTERN = r"^[0-9a-f]{24}$"


class GroupFields(BaseModel):
    """The fields a client sets on a group."""

    name: ShortText = Field(description="1-200 characters, trimmed; unique in the tenant, ignoring case.")
    description: LongText | None = Field(default=None, description="Free text, up to 10,000 characters.")


class Group(GroupFields, Document):
    """A group as stored; `name_key` is the folded name that order goes by, `unique_name` the one it is unique by."""

    id: str = Field(default_factory=new_contact_id)  # type: ignore[assignment]
    tenant: str
    name_key: str
    unique_name: str  # "<tenant>:<name_key>" (tenants never contain ':'), from `unique_name_of`
    member_count: int = Field(default=0, ge=0)
    # Writes that change `member_count` in flight, or cut short: a count with an old one is recounted.
    pending: list[dict[str, Any]] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    version: int = Field(default=1, ge=1)
    # The group feed (webhooks' group.* events): `owner` is the tenant, live or deleted; `seq` the group's last
    # change number, from a counter of its own (api/groups/repository.py).
    owner: str | None = None
    seq: int | None = None
    first_seq: int | None = None
    deleted_at: datetime | None = None

    class Settings:
        name = "groups"
        keep_nulls = False
        indexes: ClassVar[list[IndexModel]] = [
            # One field, not (tenant, name_key): the embedded database checks a single-field unique index through
            # an index, a compound one by reading every group of every tenant.
            IndexModel([("unique_name", ASCENDING)], unique=True),
            IndexModel([("tenant", ASCENDING), ("name_key", ASCENDING), ("_id", ASCENDING)]),  # the listing
            IndexModel([("owner", ASCENDING), ("seq", ASCENDING)]),  # the group feed
        ]


def unique_name_of(tenant: str, name: str) -> str:
    """What makes a group's name unique: its tenant and its name ignoring case."""
    return f"{tenant}:{name.casefold()}"
