"""HTTP for `/contacts/duplicates`: groups of likely duplicates, and dismissing a pair."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status

from api.duplicates import service
from api.duplicates.schemas import Dismissal, DuplicateGroup, DuplicatePage, DuplicateParams
from api.http.cursors import decode_cursor, encode_cursor
from api.http.dependencies import JSON_BODY, CurrentScope, CursorSecret
from api.http.media_types import StrictJSONRoute
from api.http.problems import problem_responses

router = APIRouter(
    prefix="/contacts/duplicates", tags=["contacts"], route_class=StrictJSONRoute, responses=problem_responses(401, 429)
)


@router.get("", response_model=DuplicatePage, responses=problem_responses(400, 422), summary="Find likely duplicates")
async def list_duplicates(
    params: Annotated[DuplicateParams, Query()], request: Request, scope: CurrentScope, secret: CursorSecret
) -> Any:
    """Groups of contacts that are likely one person, with a score (0-1) and the reasons: a shared email or E.164
    phone, close names (word order and initials handled), the same company. Merge them with mergeContacts, or
    dismiss a pair. A page at a time: follow `next_cursor`.
    """
    after = decode_cursor(params.cursor, secret, scope.tenant) if params.cursor is not None else None
    found, position = await service.find(scope, params.limit, after, request.app.state.settings.sync_settle)
    items = [DuplicateGroup.model_validate(group, from_attributes=True) for group in found]
    next_cursor = encode_cursor(position, secret, scope.tenant) if position is not None else None
    return DuplicatePage(items=items, next_cursor=next_cursor)


@router.post(
    "/dismissals",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=JSON_BODY,
    responses=problem_responses(400, 415, 422),
    summary="Mark two contacts as not duplicates",
)
async def dismiss_duplicate(body: Dismissal, scope: CurrentScope) -> None:
    """The pair is never linked again (its contacts can still be grouped through others). Idempotent."""
    await service.dismiss(scope, body.ids)
