"""Who is calling: the API key in `Authorization: Bearer`, its tenant, and its quota (README: "Keys and modes").

With AUTH_REQUIRED=false the service is single-tenant and open (and listens on loopback only): every
request is in the default tenant. With AUTH_REQUIRED=true every route but the public ones needs a key.
`Authentication` checks it first, before the request counts against the server's capacity and before a
byte of its body is read: a missing, wrong or revoked key is a 401 with `WWW-Authenticate`, and each
key's requests are rate-limited (429). Routes read the outcome through the `get_scope` dependency.
"""

import re
from http import HTTPStatus
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pymongo.errors import PyMongoError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, DatabaseUnavailable, MalformedRequest
from api.http.asgi import HttpMiddleware
from api.http.problems import send_error
from api.keys import service as keys
from api.keys.service import KeyRecords, Principal
from api.ratelimits.service import Guard
from api.scope import DEFAULT_TENANT
from api.scope import Scope as DataScope

PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json"})
PUBLIC_PREFIXES = ("/static/docs/",)
_BEARER = re.compile(rb"bearer +(\S+)", re.IGNORECASE)

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="An API key (`ck_...`) from `python -m api keys create`. Required when AUTH_REQUIRED=true.",
)


class Unauthorized(ApiError):
    status = HTTPStatus.UNAUTHORIZED
    type = "/problems/unauthorized"


def is_public(path: str) -> bool:
    """Whether `path` is served without a key: the probes, the metrics, the docs and the contract."""
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _challenge(error: str | None) -> dict[str, str]:
    # RFC 6750: name the realm; say invalid_token only when a token was sent.
    value = 'Bearer realm="contacts"' + (f', error="{error}"' if error else "")
    return {"WWW-Authenticate": value}


class Authentication(HttpMiddleware):
    """ASGI middleware: with AUTH_REQUIRED=true, a valid key and its quota before anything else of a request."""

    def __init__(self, app: ASGIApp, *, guard: Guard, records: KeyRecords) -> None:
        super().__init__(app)
        self.guard = guard
        self.records = records

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        try:
            principal = await self._principal(scope)
            quota = await self.guard.take(principal.key_id)
            async with self.guard.slot(principal.key_id):
                scope.setdefault("state", {}).update(principal=principal, tenant=principal.tenant)
                await self.app(scope, receive, _with_headers(send, quota.headers()))
        except ApiError as error:
            await send_error(send, error, closing=_has_body(scope))
        except PyMongoError:
            await send_error(send, DatabaseUnavailable(), closing=_has_body(scope))

    async def _principal(self, scope: Scope) -> Principal:
        sent = [value for name, value in scope["headers"] if name == b"authorization"]
        if len(sent) > 1:
            raise MalformedRequest("Send one Authorization header.")
        match = _BEARER.fullmatch(sent[0]) if sent else None
        if match is None:
            raise Unauthorized("Send an API key as `Authorization: Bearer <key>`.", _challenge(None))
        principal = await keys.authenticate(match.group(1).decode("latin-1"), self.records)
        if principal is None:
            raise Unauthorized("The API key is not valid, or was revoked.", _challenge("invalid_token"))
        return principal


def _has_body(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    return headers.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in headers


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    extra = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return send_with_headers


async def get_scope(
    request: Request,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],  # puts the scheme in the contract
) -> DataScope:
    """The caller's data scope: the tenant of the key `Authentication` checked, or the one default tenant."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        return DataScope(tenant=DEFAULT_TENANT)
    return DataScope(tenant=principal.tenant, key_id=principal.key_id)
