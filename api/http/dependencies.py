"""Dependencies as `Annotated` aliases, so routes read like sentences."""

from typing import Annotated

from fastapi import Depends, Header, Request

from api.http.auth import get_scope
from api.http.conditional import parse_if_match
from api.http.media_types import require_json, require_merge_patch
from api.preconditions import Precondition
from api.scope import Scope
from api.settings import Settings


# Dependencies are async: FastAPI would run a plain def in a worker thread.
async def get_cursor_secret(request: Request) -> bytes:
    """The key that signs this app's pagination cursors."""
    secret: bytes = request.state.cursor_secret
    return secret


async def get_precondition(
    request: Request,
    if_match: Annotated[str | None, Header(description="ETag of the version you mean to change.")] = None,
) -> Precondition | None:
    """The If-Match precondition; required (428) when the REQUIRE_IF_MATCH setting is on."""
    settings: Settings = request.app.state.settings
    return parse_if_match(if_match, required=settings.require_if_match)


CursorSecret = Annotated[bytes, Depends(get_cursor_secret)]
CurrentScope = Annotated[Scope, Depends(get_scope)]
IfMatch = Annotated[Precondition | None, Depends(get_precondition)]
JSON_BODY = [Depends(require_json)]
MERGE_PATCH_BODY = [Depends(require_merge_patch)]
