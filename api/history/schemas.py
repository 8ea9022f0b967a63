"""The shapes of a contact's history."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# A merge is an update of the survivor (with `merged_from`) and a delete of each source (with `merged_into`).
ChangeKind = Literal["created", "updated", "deleted", "undeleted", "restored", "imported"]
VERSION_EXAMPLE: dict[str, Any] = {
    "version": 2,
    "kind": "updated",
    "at": "2026-12-02T10:00:00Z",
    "key_id": "3f2a6c0e1b9d4a57",
    "patch": {"company": "Babbage & Co", "nickname": None},
}


class VersionOut(BaseModel):
    """One version of a contact: when it was made, by which key, and what changed from the one before."""

    model_config = ConfigDict(json_schema_extra={"examples": [VERSION_EXAMPLE]})

    version: int = Field(ge=1)
    kind: ChangeKind
    at: datetime
    key_id: str | None = Field(description="The API key that made it; null when the service runs without keys.")
    patch: dict[str, Any] = Field(
        description="JSON Merge Patch (RFC 7396) from the previous version to this one; the whole contact for "
        "the first version, `{}` when no field changed (a delete or undelete)."
    )
    merged_from: list[str] | None = Field(default=None, description="A merge: the contacts merged into this one.")
    sources: dict[str, Any] | None = Field(
        default=None,
        title="MergeSources",
        description="A merge: per field, the contact its value came from (a list: one per entry).",
    )
    merged_into: str | None = Field(default=None, description="A merged-away contact: the one it went into.")


class HistoryPage(BaseModel):
    """A contact's versions, newest first, and the cursor of the next page (null on the last)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [VERSION_EXAMPLE], "next_cursor": None}]})

    items: list[VersionOut]
    next_cursor: str | None


class HistoryParams(BaseModel):
    """Page size and position."""

    limit: int = Field(default=20, ge=1, le=100, description="Versions per page, 1-100.")
    cursor: str | None = Field(default=None, max_length=1024, description="`next_cursor` of the previous page.")


class RestoreRequest(BaseModel):
    """Which version to bring back."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 1}]})

    version: int = Field(ge=1, le=2**31, description="A version listed by getContactHistory.")
