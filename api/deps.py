"""Dependencies as `Annotated` aliases, so routes read like sentences."""

from typing import Annotated

from fastapi import Depends, Header, Request

from api.conditional import Precondition, parse_if_match
from api.errors import UnsupportedMediaType
from api.services.scope import DEFAULT_TENANT, Scope
from api.settings import Settings

MERGE_PATCH = "application/merge-patch+json"


# Dependencies are async: FastAPI would run a plain def in a worker thread.
async def get_cursor_secret(request: Request) -> bytes:
    """The key that signs this app's pagination cursors."""
    secret: bytes = request.state.cursor_secret
    return secret


async def get_scope(request: Request) -> Scope:
    """The scope of the caller's data. Until authentication maps callers to tenants, all share one."""
    return Scope(tenant=DEFAULT_TENANT)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


async def require_json(request: Request) -> None:
    """Refuse a request body that is not declared as `application/json`."""
    if _media_type(request) != "application/json":
        raise UnsupportedMediaType("Send the request body as application/json.")


async def require_merge_patch(request: Request) -> None:
    """Refuse a PATCH body that is not a JSON merge patch (RFC 7396)."""
    if _media_type(request) != MERGE_PATCH:
        raise UnsupportedMediaType(f"Send the patch as {MERGE_PATCH}.", headers={"Accept-Patch": MERGE_PATCH})


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
