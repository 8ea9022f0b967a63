"""The shapes of the change feed."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.contacts.examples import STORED_CONTACT_EXAMPLE
from api.contacts.schemas import ContactOut
from models.fields import ObjectIdHex

TOKEN_EXAMPLE = "WyJzeW5jIiw0MiwxNzk2MjAwMDAwXQ.q1w2e3r4t5y6u7i8o9p0aa"  # noqa: S105 (an example)


class Tombstone(BaseModel):
    """A contact deleted since the token: remove it. One merged into another names that one (in `changed`)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": "6b081b01192d8ee71ccc146a", "deleted_at": "2026-12-02T10:00:00Z"}]}
    )

    id: ObjectIdHex
    deleted_at: datetime
    merged_into: ObjectIdHex | None = Field(default=None, description="The contact it was merged into, if it was.")


class ChangesPage(BaseModel):
    """Changes since the token, in the order they were made, and the token to resume from."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "changed": [STORED_CONTACT_EXAMPLE],
                    "deleted": [{"id": "6b081b01192d8ee71ccc146b", "deleted_at": "2026-12-02T10:00:00Z"}],
                    "sync_token": TOKEN_EXAMPLE,
                    "has_more": False,
                }
            ]
        }
    )

    changed: list[ContactOut] = Field(description="Contacts created or changed since the token: store them.")
    deleted: list[Tombstone] = Field(description="Contacts deleted since the token: remove them.")
    sync_token: str = Field(description="Pass as `since` next time: for the next page, or (last page) to poll.")
    has_more: bool = Field(description="True: fetch the next page now. False: you are up to date; poll later.")


class ChangesParams(BaseModel):
    """Where to start, and how many changes at most."""

    since: str = Field(
        default="0",
        min_length=1,
        max_length=1024,
        description="A `sync_token` from an earlier answer; `0` (the default) syncs every contact from the start.",
        examples=[TOKEN_EXAMPLE],
    )
    limit: int = Field(default=100, ge=1, le=200, description="Changes per page, 1-200.")
