"""uvicorn's httptools protocol with the limits it lacks, enforced while the request line and headers arrive.

uvicorn on httptools has no bound on the size or number of headers, no deadline for the headers of a
request, and no cap on open connections; an attacker could hold thousands of half-open connections or
send 64 MB of headers. This subclass adds, before any of it reaches the app (README: "Limits"):

- header section larger than MAX_HEADER_BYTES, or more than MAX_HEADERS fields: 431;
- headers not complete within HEADER_TIMEOUT of the connection opening (or of the request starting): 408;
- more than MAX_CONNECTIONS open connections: the new one gets a 503 with Retry-After and is closed;
- more than MAX_PIPELINED requests queued on one connection behind the one being answered: it is closed
  (uvicorn would parse and queue every request a client sends without reading the answers);
- malformed HTTP: a 400 problem (uvicorn's own is text/plain).
Each is `application/problem+json` with `Connection: close`. Idle keep-alive connections are closed by
uvicorn itself after KEEP_ALIVE_TIMEOUT.

When the server answers before a request's body has arrived (a 413, say) and closes, it closes lingering
(RFC 9112 section 9.6): it stops sending, then reads and drops what the client still sends for up to
LINGER_SECONDS, so a client that writes its whole body before reading still gets the answer, not a reset.

It reaches into `HttpToolsProtocol`'s parser callbacks, so uvicorn is pinned to a minor version and
`tests/api/http/test_server_protocol.py` exercises every limit against a real server.
"""

import asyncio
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.http.problems import PROBLEM_MEDIA_TYPE, problem_bytes
from api.settings import Settings, get_settings


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """The protocol-level limits, from the settings."""

    max_header_bytes: int
    max_headers: int
    header_timeout: float
    max_connections: int

    @classmethod
    def of(cls, settings: Settings) -> "ServerLimits":
        return cls(settings.max_header_bytes, settings.max_headers, settings.header_timeout, settings.max_connections)


LINGER_SECONDS = 2.0
MAX_PIPELINED = 16


class _LingeringTransport:
    """The connection's transport, closing lingering while the client is still sending a request body."""

    def __init__(self, transport: asyncio.Transport, protocol: "HardenedHttpToolsProtocol") -> None:
        self._transport = transport
        self._protocol = protocol
        self.lingering = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def is_closing(self) -> bool:
        return self.lingering or self._transport.is_closing()

    def close(self) -> None:
        if self.is_closing():
            return
        if not (self._protocol.request_unfinished() and self._transport.can_write_eof()):
            self._transport.close()
            return
        self.lingering = True
        self._transport.write_eof()  # the answer is complete; the client sees end-of-file after it
        self._transport.resume_reading()
        self._protocol.loop.call_later(LINGER_SECONDS, self._transport.close)


class _HeadersTooLarge(Exception):
    """Raised from a parser callback to stop parsing a request whose headers break a limit."""


class HardenedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with header, header-time and connection limits; answers problems for protocol errors."""

    limits: ClassVar[ServerLimits | None] = None  # None: read the settings from the environment

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.server_limits = self.limits or ServerLimits.of(get_settings())
        self._reading_headers = False
        self._header_bytes = 0
        self._parsed_bytes = 0
        self._header_count = 0
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_LingeringTransport(transport, self))  # type: ignore[arg-type]
        if len(self.connections) > self.server_limits.max_connections:
            self._refuse(HTTPStatus.SERVICE_UNAVAILABLE, "Too many connections; retry shortly.", retry_after=1)
            return
        self._expect_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def request_unfinished(self) -> bool:
        """Whether the client is still sending the current request's body."""
        return self.cycle is not None and self.cycle.more_body

    def data_received(self, data: bytes) -> None:
        if isinstance(self.transport, _LingeringTransport) and self.transport.lingering:
            return  # closing: what the client still sends is read and dropped
        if self._reading_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        too_large = self._header_bytes > self.server_limits.max_header_bytes
        if self._reading_headers and too_large and not self.transport.is_closing():
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "The request headers are too large.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._reading_headers:
            self._expect_headers()  # a further request on a kept-alive connection: its headers are timed too

    def on_url(self, url: bytes) -> None:
        self._parsed_bytes += len(url)
        if self._parsed_bytes > self.server_limits.max_header_bytes:
            raise _HeadersTooLarge
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        # Counted here too, for headers that arrive in one read with their end (data_received counts the rest).
        self._header_count += 1
        self._parsed_bytes += len(name) + len(value) + 4
        if (
            self._header_count > self.server_limits.max_headers
            or self._parsed_bytes > self.server_limits.max_header_bytes
        ):
            raise _HeadersTooLarge
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        self._stop_deadline()
        if len(self.pipeline) >= MAX_PIPELINED:
            self.transport.close()  # a client that sends request after request without reading the answers
            return
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        if self._header_count > self.server_limits.max_headers:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "The request has too many header fields.")
        elif self._parsed_bytes > self.server_limits.max_header_bytes:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "The request headers are too large.")
        elif self.cycle is not None and not self.cycle.response_complete:
            # Junk after a request that is being answered: let that answer go out, then close; a 400 now
            # would answer it in its place (and it may already have taken effect).
            self.cycle.keep_alive = False
            self.flow.pause_reading()
        else:
            self._refuse(HTTPStatus.BAD_REQUEST, "The request is not valid HTTP/1.1.")

    def _expect_headers(self) -> None:
        self._reading_headers = True
        self._header_bytes = self._parsed_bytes = self._header_count = 0
        self._stop_deadline()
        self._header_deadline = self.loop.call_later(self.server_limits.header_timeout, self._headers_too_slow)

    def _stop_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self._reading_headers and not self.transport.is_closing():
            self._refuse(HTTPStatus.REQUEST_TIMEOUT, "The request headers did not arrive in time.")

    def _refuse(self, status: HTTPStatus, detail: str, retry_after: int | None = None) -> None:
        """Answer a problem below the app, then close the connection."""
        self._reading_headers = False
        self._stop_deadline()
        body = problem_bytes(status, detail)
        lines = [
            f"HTTP/1.1 {status.value} {status.phrase}",
            f"content-type: {PROBLEM_MEDIA_TYPE}",
            f"content-length: {len(body)}",
            "connection: close",
            *([f"retry-after: {retry_after}"] if retry_after is not None else []),
        ]
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        self.transport.close()


def protocol_with(limits: ServerLimits) -> type[HardenedHttpToolsProtocol]:
    """The protocol class with `limits` bound (for a server in this process; workers read the environment)."""
    return type("BoundHardenedHttpToolsProtocol", (HardenedHttpToolsProtocol,), {"limits": limits})
