"""In open mode, only requests addressed to this machine by name: no DNS rebinding (README: "Hardening").

With AUTH_REQUIRED=false anyone who can reach the port can read and write every contact. The service
listens on loopback only, but a web page could still point a name it controls at 127.0.0.1 and make the
developer's browser send requests; those carry the page's host name, and are refused (400).
"""

from starlette.types import Receive, Scope, Send

from api.http.asgi import HttpMiddleware
from api.http.problems import send_problem

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def host_name(header: bytes) -> str:
    """The name in a Host header, without its port, lower-cased."""
    text = header.decode("latin-1").strip().lower()
    if text.startswith("["):
        return text.partition("]")[0] + "]"
    return text.rpartition(":")[0] if text.count(":") == 1 else text


class LoopbackHostsOnly(HttpMiddleware):
    """ASGI middleware refusing a request whose Host is not a loopback name."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = dict(scope["headers"]).get(b"host")
        if host is not None and host_name(host) not in LOOPBACK_NAMES:
            await send_problem(send, 400, "This open (AUTH_REQUIRED=false) service answers only to localhost.")
            return
        await self.app(scope, receive, send)
