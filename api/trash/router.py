"""HTTP for the trash: `/contacts/trash` and `/contacts/{id}/undelete`."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.contacts.repository import to_view
from api.contacts.router import ETAG_HEADER, ContactId, with_etag
from api.contacts.schemas import ContactOut
from api.errors import MalformedRequest
from api.http.cursors import decode_cursor, encode_cursor
from api.http.dependencies import CurrentScope, CursorSecret, IfMatch
from api.http.media_types import StrictJSONRoute
from api.http.problems import problem_responses
from api.settings import Settings
from api.trash import service
from api.trash.schemas import TrashPage, TrashParams
from models.contact import is_contact_id

router = APIRouter(
    prefix="/contacts", tags=["trash"], route_class=StrictJSONRoute, responses=problem_responses(401, 429)
)
_BAD_CURSOR = "The cursor is not valid for the trash; use a next_cursor returned by this API."


def _retention(request: Request) -> Any:
    settings: Settings = request.app.state.settings
    return settings.trash_retention


def _position(cursor: str, secret: bytes, tenant: str) -> tuple[datetime, str]:
    position = decode_cursor(cursor, secret, tenant)
    try:
        kind, at, contact_id = position
        if kind != "trash" or not is_contact_id(contact_id):
            raise ValueError(kind)
        return datetime.fromisoformat(at), contact_id
    except (TypeError, ValueError):
        raise MalformedRequest(_BAD_CURSOR) from None


@router.get("/trash", response_model=TrashPage, responses=problem_responses(400, 422), summary="List deleted contacts")
async def list_trash(
    params: Annotated[TrashParams, Query()], request: Request, scope: CurrentScope, secret: CursorSecret
) -> dict[str, Any]:
    """Contacts deleted within TRASH_RETENTION, most recently deleted first; undelete them by id."""
    after = _position(params.cursor, secret, scope.tenant) if params.cursor is not None else None
    page, next_after = await service.list_trash(scope, _retention(request), params.limit, after)
    next_cursor = None
    if next_after is not None:
        next_cursor = encode_cursor(["trash", next_after[0].isoformat(), next_after[1]], secret, scope.tenant)
    items = [to_view(document) | {"deleted_at": document["deleted_at"]} for document in page]
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/{contact_id:contact_id}/undelete",
    response_model=ContactOut,
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(404, 409, 412, 428)},
    summary="Undelete a contact",
)
async def undelete_contact(
    contact_id: ContactId, request: Request, response: Response, scope: CurrentScope, precondition: IfMatch
) -> Any:
    """Bring a contact back from the trash as a new version; honours `If-Match` on the deleted version."""
    return with_etag(await service.undelete(scope, contact_id, _retention(request), precondition), response)
