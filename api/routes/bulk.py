"""Bulk operations on contacts: up to 100 items, each with its own status."""

from typing import Annotated, Any

from fastapi import APIRouter, Body

from api.deps import JSON_BODY, CurrentScope
from api.errors import problem_responses
from api.services import bulk
from api.services.bulk import MAX_BULK_ITEMS, BulkDelete, BulkResult
from models.examples import CONTACT_EXAMPLE

router = APIRouter(prefix="/contacts", tags=["contacts"])

BulkItems = Annotated[
    list[dict[str, Any]],
    Body(
        min_length=1,
        max_length=MAX_BULK_ITEMS,
        description="Up to 100 contacts, each shaped like the body of createContact and validated on its own.",
        examples=[[CONTACT_EXAMPLE, {"name": "Grace Hopper"}]],
    ),
]


@router.post(
    "/bulk",
    dependencies=JSON_BODY,
    responses=problem_responses(400, 415, 422),
    response_model_exclude_none=True,
    summary="Create up to 100 contacts",
)
async def create_contacts_bulk(items: BulkItems, scope: CurrentScope) -> BulkResult:
    """Each item gets the status it would have had alone (201 with `id`, or 422 with `problem`)."""
    return await bulk.create_many(scope, items)


@router.post(
    "/bulk-delete",
    dependencies=JSON_BODY,
    responses=problem_responses(400, 415, 422),
    response_model_exclude_none=True,
    summary="Delete up to 100 contacts",
)
async def delete_contacts_bulk(body: BulkDelete, scope: CurrentScope) -> BulkResult:
    """Each id gets the status its delete would have had alone (204, or 404 with `problem`)."""
    return await bulk.delete_many(scope, body.ids)
