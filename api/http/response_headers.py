"""Headers every response carries (README: "Hardening"), and HEAD served on every GET route.

- `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` on everything;
- `Cache-Control: no-store` unless the response set its own (tenant data must not sit in shared caches);
- a Content-Security-Policy that allows nothing, unless the response set its own (the /docs pages do).
"""

from starlette.types import Message, Receive, Scope, Send

from api.http.asgi import HttpMiddleware

API_CSP = "default-src 'none'; frame-ancestors 'none'"
ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
UNLESS_SET = [(b"cache-control", b"no-store"), (b"content-security-policy", API_CSP.encode())]


class SecurityHeaders(HttpMiddleware):
    """ASGI middleware adding the security headers to every response."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += ALWAYS + [(name, value) for name, value in UNLESS_SET if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet(HttpMiddleware):
    """ASGI middleware answering HEAD like GET, without the body (RFC 9110 section 9.3.2)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        as_get = {**scope, "method": "GET"}
        await self.app(as_get, receive, send_headers_only)
        if "route" in as_get:
            scope["route"] = as_get["route"]  # for the request's log line and metrics
