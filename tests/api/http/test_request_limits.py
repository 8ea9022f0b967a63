"""Request limits against a real server: body size (declared or streamed), body deadline, requests in flight."""

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tests.live_server import LiveServer
from tests.served import served

pytestmark = pytest.mark.slow

HUNDRED_MB = 100 << 20


@pytest.fixture
def server(settings: Settings, request: pytest.FixtureRequest) -> Iterator[str]:
    limits: dict[str, Any] = getattr(request, "param", {})
    live = LiveServer(settings.model_copy(update=limits))
    try:
        yield live.start()
    finally:
        live.stop()


def send_body(base_url: str, size: int, *, chunked: bool) -> bytes:
    """POST a `size`-byte body a megabyte at a time (never held whole); the server's first answer."""
    host, port = base_url.removeprefix("http://").split(":")
    framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % size
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(
            b"POST /contacts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + framing
        )
        connection.sendall(b"\r\n\r\n")
        megabyte = b"x" * (1 << 20)
        piece = b"%x\r\n" % len(megabyte) + megabyte + b"\r\n" if chunked else megabyte
        try:
            for _ in range(size >> 20):
                connection.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered and closed before the body ended
        try:
            return connection.recv(1 << 16)
        except ConnectionResetError:
            return b""


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_100_mb_body_is_413_and_grows_the_server_by_under_10_mb(
    settings: Settings, tmp_path: Path, chunked: bool
) -> None:
    with served(settings, tmp_path / "service.log", LOG_LEVEL="warning") as service:
        before = service.rss_kib()
        answers = [send_body(service.base_url, HUNDRED_MB, chunked=chunked) for _ in range(3)]
        growth_mib = (service.rss_kib() - before) / 1024

    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"application/problem+json" in answer
        assert b"connection: close" in answer.lower()
    assert growth_mib < 10


@pytest.mark.parametrize("server", [{"body_timeout": 0.5}], indirect=True)
def test_a_body_slower_than_its_deadline_is_408(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"POST /contacts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n")
        connection.sendall(b'Content-Length: 100\r\n\r\n{"name":')  # and the rest never comes
        started = time.monotonic()
        answer = connection.recv(1 << 16)

    assert answer.startswith(b"HTTP/1.1 408")
    assert b"application/problem+json" in answer
    assert 0.4 < time.monotonic() - started < 5


@pytest.mark.parametrize("server", [{"max_requests_in_flight": 1, "body_timeout": 3.0}], indirect=True)
async def test_requests_beyond_the_in_flight_cap_are_503_with_retry_after(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    _, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /contacts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n"
    )
    await writer.drain()  # this request now holds the one slot, waiting for its body
    await asyncio.sleep(0.2)
    async with httpx.AsyncClient(base_url=server) as client:
        refused = await client.get("/healthz")
    writer.close()

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert json.loads(refused.content)["status"] == 503
