"""The shapes of a merge: which contacts, which value wins where, and what came of it."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from api.contacts.examples import STORED_CONTACT_EXAMPLE
from api.contacts.schemas import ContactOut

MAX_SOURCES = 10
ContactIdText = Annotated[str, StringConstraints(max_length=64)]
SURVIVOR_EXAMPLE = "6b081b01192d8ee71ccc146a"
SOURCE_EXAMPLE = "6b081b01192d8ee71ccc146b"


class MergeRequest(BaseModel):
    """The contacts to merge into the one in the path, the value to keep where they differ, and whether to write."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"from": [SOURCE_EXAMPLE], "fields": {"company": SOURCE_EXAMPLE}}]},
    )

    sources: list[ContactIdText] = Field(
        alias="from",
        min_length=1,
        max_length=MAX_SOURCES,
        description=f"Up to {MAX_SOURCES} contacts (ids) to merge into this one; they become tombstones.",
    )
    fields: dict[Annotated[str, StringConstraints(max_length=50)], ContactIdText] = Field(
        default_factory=dict,
        title="MergeChoices",
        max_length=20,
        description="Per field, the id of the contact (this one or one of `from`) whose value to keep. Unchosen "
        "scalars take the newest non-null value; unchosen lists are unioned, duplicates folded.",
    )
    dry_run: StrictBool = Field(default=False, description="Only show the merged contact; change nothing.")


class MergeResult(BaseModel):
    """The merged contact (as it would be, on a dry run), the contacts merged into it, and where values came from."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "contact": STORED_CONTACT_EXAMPLE | {"version": 4},
                    "merged": [SOURCE_EXAMPLE],
                    "sources": {"name": SURVIVOR_EXAMPLE, "company": SOURCE_EXAMPLE, "emails": [SURVIVOR_EXAMPLE]},
                    "dry_run": False,
                }
            ]
        }
    )

    contact: ContactOut
    merged: list[str] = Field(description="The contacts merged into it: now tombstones that name it.")
    sources: dict[str, Any] = Field(
        title="MergeSources",
        description="Per field, the id of the contact its value came from; for a list, one id per entry.",
    )
    dry_run: bool
