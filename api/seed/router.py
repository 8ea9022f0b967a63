"""The seed blog post's two routes, kept working exactly as its curl session shows."""

from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError

from api.contacts import service
from api.contacts.schemas import ContactListParams
from api.errors import UnprocessableContent
from api.http.dependencies import JSON_BODY, CurrentScope
from api.http.media_types import StrictJSONRoute
from api.http.problems import problem_responses
from api.seed.schemas import SeedContact, SeedCreate, SeedInserted, flatten

router = APIRouter(tags=["seed"], route_class=StrictJSONRoute, responses=problem_responses(401, 429))

SEED_LIST_SIZE = 20


@router.get(
    "/",
    response_model=list[SeedContact],
    response_model_exclude_none=True,
    responses={
        200: {"content": {"application/json": {"example": [{"id": "582ceb772c608731477f5384", "name": "masnun"}]}}}
    },
    summary="List up to 20 contacts (seed)",
)
async def seed_list(scope: CurrentScope) -> list[dict[str, Any]]:
    """The first 20 contacts as flat objects: `id` plus the fields that are set."""
    page = await service.list_contacts(scope, ContactListParams(limit=SEED_LIST_SIZE))
    return [flatten(contact) for contact in page.contacts]


@router.post(
    "/new",
    dependencies=JSON_BODY,
    responses=problem_responses(400, 415, 422),
    summary="Create a contact (seed)",
)
async def seed_create(body: SeedCreate, scope: CurrentScope) -> SeedInserted:
    """Store a contact and answer with its id, as the seed service did."""
    try:
        contact = body.to_contact()
    except ValidationError as error:
        raise UnprocessableContent.from_body_error(error) from None
    created = await service.create_contact(scope, contact)
    return SeedInserted(inserted_id=created.contact.id)
