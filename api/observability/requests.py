"""Every request: an id (X-Request-ID, taken if valid, else made), its metrics, and one log line.

The log line (logger `api.access`) holds the method, the route template, the status, the duration,
the request id and the tenant; never a body, a query string or a header value.
"""

import logging
import re
import time
import uuid

from starlette.types import Message, Receive, Scope, Send

from api.http.asgi import HttpMiddleware
from api.http.problems import send_problem
from api.observability.context import REQUEST_ID
from api.observability.metrics import IN_FLIGHT, REQUEST_SECONDS, REQUESTS

HEADER = b"x-request-id"
_VALID_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
logger = logging.getLogger("api.access")
errors = logging.getLogger("api.errors")
UNEXPECTED = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Connection": "close"}


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/contacts/{contact_id}`), or `unmatched`: bounded label values."""
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    return template if isinstance(template, str) else "unmatched"


class RequestObserver(HttpMiddleware):
    """ASGI middleware giving each request an id, counting and timing it, and logging it once."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = dict(scope["headers"]).get(HEADER, b"")
        request_id = sent.decode() if _VALID_ID.fullmatch(sent) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        status, status_unsent = 500, True  # unless a response starts
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, status_unsent
            if message["type"] == "http.response.start":
                status, status_unsent = message["status"], False
                message = {**message, "headers": [*message.get("headers", []), (HEADER, request_id.encode())]}
            await send(message)

        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Answered here, inside the request's context: one log line with the traceback, a bare 500 problem
            # that carries the request id and closes the connection (the client is told, not cut off).
            errors.exception("unhandled error on %s %s", scope["method"], route_template(scope))
            if status_unsent:
                await send_problem(send_with_id, 500, "The server could not complete the request.", UNEXPECTED)
            status = 500
        finally:
            IN_FLIGHT.dec()
            REQUEST_ID.reset(token)
            seconds = time.perf_counter() - started
            route = route_template(scope)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            REQUEST_SECONDS.labels(scope["method"], route).observe(seconds)
            logger.info(
                "%s %s %d",
                scope["method"],
                route,
                status,
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "request_id": request_id,
                    "tenant": scope.get("state", {}).get("tenant"),
                },
            )
