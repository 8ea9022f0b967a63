"""HTTP for a contact's history: `/contacts/{id}/history` and `/contacts/{id}/restore`."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.contacts.router import ETAG_HEADER, ContactId, with_etag
from api.contacts.schemas import ContactOut
from api.errors import MalformedRequest
from api.history import service
from api.history.schemas import HistoryPage, HistoryParams, RestoreRequest
from api.http.cursors import decode_cursor, encode_cursor
from api.http.dependencies import JSON_BODY, CurrentScope, CursorSecret, IfMatch
from api.http.media_types import StrictJSONRoute
from api.http.problems import problem_responses

router = APIRouter(
    prefix="/contacts", tags=["history"], route_class=StrictJSONRoute, responses=problem_responses(401, 429)
)
_BAD_CURSOR = "The cursor is not valid for this history; use a next_cursor returned by this API."


@router.get(
    "/{contact_id:contact_id}/history",
    response_model=HistoryPage,
    responses=problem_responses(400, 404, 422),
    summary="List a contact's versions",
)
async def get_contact_history(
    contact_id: ContactId, params: Annotated[HistoryParams, Query()], scope: CurrentScope, secret: CursorSecret
) -> dict[str, Any]:
    """Every version of a contact (in the trash too), newest first: when, by which key, what changed."""
    before = None
    if params.cursor is not None:
        position = decode_cursor(params.cursor, secret, scope.tenant)
        if len(position) != 3 or position[:2] != ["history", contact_id] or type(position[2]) is not int:
            raise MalformedRequest(_BAD_CURSOR)
        before = position[2]
    page = await service.list_versions(scope, contact_id, params.limit, before)
    next_cursor = None
    if page.next_before is not None:
        next_cursor = encode_cursor(["history", contact_id, page.next_before], secret, scope.tenant)
    return {"items": page.items, "next_cursor": next_cursor}


@router.post(
    "/{contact_id:contact_id}/restore",
    dependencies=JSON_BODY,
    response_model=ContactOut,
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(400, 404, 409, 410, 412, 415, 422, 428)},
    summary="Restore an earlier version of a contact",
)
async def restore_contact(
    contact_id: ContactId, body: RestoreRequest, response: Response, scope: CurrentScope, precondition: IfMatch
) -> Any:
    """Make a new version equal to version `version`; honours `If-Match` (412 when stale)."""
    return with_etag(await service.restore(scope, contact_id, body.version, precondition), response)
