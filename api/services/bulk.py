"""Bulk create and delete: each item gets the status it would have had alone."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from api.errors import ProblemDetails, UnprocessableContent
from api.services.contacts import ContactNotFound, contacts, is_contact_id, new_document
from api.services.scope import Scope
from models.contact import ContactWrite

MAX_BULK_ITEMS = 100


class BulkItemResult(BaseModel):
    """One item's outcome: its status, and the contact's id or the problem."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": 201, "id": "6b081b01192d8ee71ccc146a"}]})

    status: int
    id: str | None = None
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


async def create_many(scope: Scope, items: list[dict[str, Any]]) -> BulkResult:
    """Validate each item on its own; store the valid ones in one round trip."""
    results: list[BulkItemResult] = []
    documents = []
    for item in items:
        try:
            document = new_document(scope, ContactWrite.model_validate(item))
        except ValidationError as error:
            problem = UnprocessableContent.from_body_error(error).to_problem()
            results.append(BulkItemResult(status=problem.status, problem=problem))
            continue
        documents.append(document)
        results.append(BulkItemResult(status=201, id=document["_id"]))
    if documents:
        await contacts().insert_many(documents, ordered=False)
    return BulkResult(results=results)


async def delete_many(scope: Scope, ids: list[str]) -> BulkResult:
    """Delete the listed contacts that exist in this scope; 404 for the others."""
    wanted = sorted({contact_id for contact_id in ids if is_contact_id(contact_id)})
    found = {doc["_id"] async for doc in contacts().find(scope.where(_id={"$in": wanted}), {"_id": 1})}
    if found:
        await contacts().delete_many(scope.where(_id={"$in": sorted(found)}))
    missing = ContactNotFound().to_problem()
    return BulkResult(
        results=[
            BulkItemResult(status=204, id=contact_id)
            if contact_id in found
            else BulkItemResult(status=404, id=contact_id, problem=missing)
            for contact_id in ids
        ]
    )
