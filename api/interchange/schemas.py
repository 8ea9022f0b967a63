"""The shapes of export and import."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.contacts.schemas import ContactFilters
from api.http.problems import ProblemDetails


class ExportParams(ContactFilters):
    """The file format, and which contacts to export in which order (as the listing's filters)."""

    format: Literal["vcf", "csv"] = Field(default="vcf", description="`vcf` (vCard 4.0) or `csv` (Google's columns).")


class ImportRowResult(BaseModel):
    """One card or row: where it starts in the file, what happened, the contact's id or the problem."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"number": 1, "status": 201, "outcome": "created", "id": "6b081b01192d8ee71ccc146a"}]
        }
    )

    number: int = Field(description="vCard: the line of its BEGIN:VCARD. CSV: the line the row starts on.")
    status: int = Field(description="The status it would have had alone: 201 created, 200 updated or unchanged, 4xx.")
    outcome: Literal["created", "updated", "unchanged", "failed"]
    id: str | None = None
    problem: ProblemDetails | None = None


class ImportResult(BaseModel):
    """How many rows had each outcome, and a result per row in file order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "created": 1,
                    "updated": 0,
                    "unchanged": 0,
                    "failed": 1,
                    "results": [
                        {"number": 1, "status": 201, "outcome": "created", "id": "6b081b01192d8ee71ccc146a"},
                        {
                            "number": 9,
                            "status": 422,
                            "outcome": "failed",
                            "problem": {
                                "type": "/problems/validation-error",
                                "title": "Unprocessable Content",
                                "status": 422,
                                "detail": "The request has 1 invalid value.",
                                "errors": [
                                    {"location": "body", "pointer": "/emails/0/value", "detail": "not an email"}
                                ],
                            },
                        },
                    ],
                }
            ]
        }
    )

    created: int
    updated: int
    unchanged: int
    failed: int
    results: list[ImportRowResult]
