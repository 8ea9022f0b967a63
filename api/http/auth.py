"""Who is calling: the API key in `Authorization: Bearer`, its tenant, and its quota (README: "Keys and modes").

With AUTH_REQUIRED=false the service is single-tenant and open (and listens on loopback only): every
request is in the default tenant. With AUTH_REQUIRED=true every data route needs a key; a missing, wrong
or revoked one is a 401 with `WWW-Authenticate`, and each key's requests are rate-limited.
"""

from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from api.keys import service as keys
from api.ratelimits.service import Guard
from api.scope import DEFAULT_TENANT, Scope
from api.settings import Settings

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="An API key (`ck_...`) from `python -m api keys create`. Required when AUTH_REQUIRED=true.",
)


class Unauthorized(ApiError):
    status = HTTPStatus.UNAUTHORIZED
    type = "/problems/unauthorized"


def _challenge(error: str | None) -> dict[str, str]:
    # RFC 6750: name the realm; say invalid_token only when a token was sent.
    value = 'Bearer realm="contacts"' + (f', error="{error}"' if error else "")
    return {"WWW-Authenticate": value}


async def get_scope(
    request: Request,
    response: Response,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AsyncIterator[Scope]:
    """The caller's scope: the key's tenant (AUTH_REQUIRED=true) or the one default tenant."""
    settings: Settings = request.app.state.settings
    if not settings.auth_required:
        yield Scope(tenant=DEFAULT_TENANT)
        return
    if credentials is None:
        raise Unauthorized("Send an API key as `Authorization: Bearer <key>`.", _challenge(None))
    principal = await keys.authenticate(credentials.credentials)
    if principal is None:
        raise Unauthorized("The API key is not valid, or was revoked.", _challenge("invalid_token"))
    guard: Guard = request.app.state.guard
    quota = await guard.take(principal.key_id)
    response.headers.update(quota.headers())
    async with guard.slot(principal.key_id):
        yield Scope(tenant=principal.tenant)
