"""Limits on one request, enforced before the app reads it (README: "Limits").

- A body over MAX_BODY_BYTES is a 413, decided from Content-Length before anything is read, or while it
  streams in (chunked): the rest is never buffered.
- A body that takes longer than BODY_TIMEOUT to arrive is a 408.
- Upload paths (the import) have their own size and time limits instead (IMPORT_MAX_BYTES, IMPORT_BODY_TIMEOUT).
- More than MAX_REQUESTS_IN_FLIGHT requests at once in this worker: a 503 with Retry-After.
Each of these answers `Connection: close`, so the client cannot keep feeding the connection.
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.asgi import HttpMiddleware
from api.http.problems import send_problem

CLOSE = {"Connection": "close"}


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """How large a request body may be, and how long it may take to arrive."""

    max_bytes: int
    timeout: float


class RequestLimits(HttpMiddleware):
    """ASGI middleware for the body size, the body's arrival time and the requests in flight."""

    def __init__(self, app: ASGIApp, *, body: BodyLimit, uploads: Mapping[str, BodyLimit], max_in_flight: int) -> None:
        super().__init__(app)
        self.body = body
        self.uploads = uploads  # by path
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.in_flight >= self.max_in_flight:
            await send_problem(send, 503, "The server is at capacity; retry shortly.", {"Retry-After": "1", **CLOSE})
            return
        limit = self.uploads.get(scope["path"], self.body)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit.max_bytes):
            await send_problem(send, 413, _too_large(limit), CLOSE)
            return
        self.in_flight += 1
        try:
            await self.app(scope, _limited(receive, limit), send)
        finally:
            self.in_flight -= 1


def _too_large(limit: BodyLimit) -> str:
    return f"The request body is larger than {limit.max_bytes} bytes."


def _limited(receive: Receive, limit: BodyLimit) -> Receive:
    received = 0
    complete = False
    deadline: float | None = None

    async def limited_receive() -> Message:
        nonlocal received, complete, deadline
        if complete:
            return await receive()  # after the body: only the disconnect is left to wait for
        loop = asyncio.get_running_loop()
        deadline = deadline or loop.time() + limit.timeout
        try:
            async with asyncio.timeout_at(deadline):
                message = await receive()
        except TimeoutError:
            detail = f"The request body did not arrive within {limit.timeout:g} seconds."
            raise HTTPException(408, detail, headers=CLOSE) from None
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            complete = not message.get("more_body", False)
            if received > limit.max_bytes:
                raise HTTPException(413, _too_large(limit), headers=CLOSE)
        return message

    return limited_receive
