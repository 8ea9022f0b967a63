"""The seed blog post's two routes, kept working exactly as its curl session shows."""

from typing import Any

from fastapi import APIRouter

from api.deps import JSON_BODY
from api.errors import problem_responses
from api.services import contacts as service
from models.contact import ContactCreate, SeedContact, SeedInserted

router = APIRouter(tags=["seed"])

SEED_LIST_SIZE = 20


@router.get(
    "/",
    response_model=list[SeedContact],
    response_model_exclude_none=True,
    summary="List up to 20 contacts (seed)",
)
async def seed_list() -> list[dict[str, Any]]:
    """The first 20 contacts as flat objects: `id` plus the fields that are set."""
    contacts, _ = await service.list_contacts(SEED_LIST_SIZE)
    return [c.model_dump(exclude={"revision_id", "created_at", "updated_at"}, exclude_none=True) for c in contacts]


@router.post(
    "/new",
    dependencies=JSON_BODY,
    responses=problem_responses(400, 415, 422),
    summary="Create a contact (seed)",
)
async def seed_create(body: ContactCreate) -> SeedInserted:
    """Store a contact and answer with its id, as the seed service did."""
    contact = await service.create_contact(body)
    return SeedInserted(inserted_id=contact.id)
