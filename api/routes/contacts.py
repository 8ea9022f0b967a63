"""The `/contacts` resource."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import JSON_BODY, CursorSecret
from api.errors import MalformedRequest, problem_responses
from api.pagination import decode_cursor, encode_cursor
from api.services import contacts as service
from models.contact import ContactCreate, ContactOut, ContactPage

router = APIRouter(prefix="/contacts", tags=["contacts"])

Limit = Annotated[int, Query(ge=1, le=100, description="Page size, 1-100.")]
Cursor = Annotated[
    str | None, Query(max_length=1024, description="The `next_cursor` of the previous page; omit for the first page.")
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=JSON_BODY,
    responses=problem_responses(400, 415, 422),
    summary="Create a contact",
)
async def create_contact(body: ContactCreate, response: Response) -> ContactOut:
    """Store a new contact; its URL is in the `Location` header."""
    contact = await service.create_contact(body)
    response.headers["Location"] = f"/contacts/{contact.id}"
    return ContactOut.from_document(contact)


@router.get("", responses=problem_responses(400, 422), summary="List contacts")
async def list_contacts(secret: CursorSecret, limit: Limit = 20, cursor: Cursor = None) -> ContactPage:
    """Contacts in creation order, a page at a time; follow `next_cursor` for the next page."""
    after_id = _position_after(cursor, secret) if cursor is not None else None
    contacts, more = await service.list_contacts(limit, after_id)
    next_cursor = encode_cursor([contacts[-1].id], secret) if more else None
    return ContactPage(items=[ContactOut.from_document(c) for c in contacts], next_cursor=next_cursor)


@router.get("/{contact_id}", responses=problem_responses(404), summary="Get a contact")
async def get_contact(contact_id: str) -> ContactOut:
    """One contact by id."""
    return ContactOut.from_document(await service.get_contact(contact_id))


def _position_after(cursor: str, secret: bytes) -> str:
    position = decode_cursor(cursor, secret)
    if len(position) != 1 or not service.is_contact_id(position[0]):
        raise MalformedRequest("The cursor is not valid; use a next_cursor returned by this API.")
    last_id: str = position[0]
    return last_id
