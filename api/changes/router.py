"""HTTP for `/contacts/changes`: the change feed."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.changes import service
from api.changes.schemas import ChangesPage, ChangesParams, Tombstone
from api.changes.tokens import decode_token, encode_token
from api.http.dependencies import CurrentScope
from api.http.media_types import StrictJSONRoute
from api.http.problems import problem_responses
from api.settings import Settings

router = APIRouter(
    prefix="/contacts", tags=["sync"], route_class=StrictJSONRoute, responses=problem_responses(401, 429)
)


@router.get(
    "/changes", response_model=ChangesPage, responses=problem_responses(400, 410, 422), summary="Sync: changes since"
)
async def list_changes(
    params: Annotated[ChangesParams, Query()], request: Request, scope: CurrentScope
) -> dict[str, Any]:
    """Contacts created or changed, and tombstones of those deleted, since `since`, in order.

    Start with `since=0` (every contact), follow `sync_token` while `has_more`, then keep the last token and
    poll with it: each poll costs the changes since, not the address book. A 410 means the token expired
    (SYNC_TOKEN_TTL) or deletions after it were purged: sync in full again.
    """
    settings: Settings = request.app.state.settings
    secret: bytes = request.state.sync_secret
    token = decode_token(params.since, secret, scope.tenant)
    read = await service.read_changes(scope, token, params.limit, settings.sync_token_ttl, settings.sync_settle)
    return {
        "changed": read.changed,
        "deleted": [Tombstone.model_validate(tombstone) for tombstone in read.deleted],
        "sync_token": encode_token(read.through, secret, scope.tenant),
        "has_more": read.has_more,
    }
