"""The hardened HTTP protocol against a real server: header limits, header deadlines, connection caps."""

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tests.factories import PROBLEM
from tests.live_server import LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture
def server(settings: Settings, request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    """A live server with the limits the test names (`@pytest.mark.parametrize("server", [{...}], indirect=True)`)."""
    limits: dict[str, Any] = {"header_timeout": 1.0, **getattr(request, "param", {})}
    live = LiveServer(settings.model_copy(update=limits))
    url = live.start()
    try:
        yield "127.0.0.1", int(url.rsplit(":", 1)[1])
    finally:
        live.stop()


def exchange(address: tuple[str, int], request: bytes, chunk: int = 1 << 16) -> tuple[int, dict[str, str], bytes]:
    """Send `request` (stopping if the server closes), then read the whole response."""
    with socket.create_connection(address, timeout=10) as connection:
        try:
            for start in range(0, len(request), chunk):
                connection.sendall(request[start : start + chunk])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the request ended
        return read_response(connection)


def read_response(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    try:
        while chunk := connection.recv(1 << 16):
            data += chunk
    except ConnectionResetError:
        pass
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines if ": " in line)
    return int(status_line.split()[1]), headers, body


def assert_problem(status: int, headers: dict[str, str], body: bytes, expected: int) -> None:
    assert status == expected, body
    assert headers["content-type"] == PROBLEM
    assert headers["connection"] == "close"
    assert json.loads(body)["status"] == expected


def test_a_64_mb_header_is_431_before_it_is_read(server: tuple[str, int]) -> None:
    started = time.monotonic()

    answer = exchange(server, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * (64 << 20) + b"\r\n\r\n")

    assert_problem(*answer, expected=431)
    assert time.monotonic() - started < 5


def test_64k_header_fields_are_431(server: tuple[str, int]) -> None:
    fields = b"".join(b"X-%d: v\r\n" % number for number in range(65_536))

    assert_problem(*exchange(server, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + fields + b"\r\n"), expected=431)


@pytest.mark.parametrize("server", [{"max_headers": 20}], indirect=True)
def test_more_fields_than_allowed_are_431_even_when_small(server: tuple[str, int]) -> None:
    fields = b"".join(b"X-%d: v\r\n" % number for number in range(25))

    assert_problem(*exchange(server, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + fields + b"\r\n"), expected=431)


def test_headers_that_do_not_arrive_in_time_are_408(server: tuple[str, int]) -> None:
    with socket.create_connection(server, timeout=10) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")  # and never the blank line
        started = time.monotonic()
        answer = read_response(connection)

    assert_problem(*answer, expected=408)
    assert 0.8 < time.monotonic() - started < 5


def test_malformed_http_is_a_400_problem(server: tuple[str, int]) -> None:
    assert_problem(*exchange(server, b"NOT HTTP AT ALL\r\n\r\n"), expected=400)


def test_two_thousand_half_open_connections_do_not_stop_a_new_request(server: tuple[str, int]) -> None:
    with ExitStack() as held:
        for _ in range(2000):
            connection = held.enter_context(socket.create_connection(server, timeout=10))
            connection.sendall(b"POST /contacts HTTP/1.1\r\nHost: localhost\r\n")  # headers never finished
        started = time.monotonic()
        response = httpx.get(f"http://{server[0]}:{server[1]}/healthz", timeout=10)

    assert response.status_code == 200
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("server", [{"max_connections": 5}], indirect=True)
def test_connections_beyond_the_cap_get_503_and_are_closed(server: tuple[str, int]) -> None:
    with ExitStack() as held:
        for _ in range(5):
            held.enter_context(socket.create_connection(server, timeout=10))
        time.sleep(0.2)
        with socket.create_connection(server, timeout=10) as sixth:
            status, headers, body = read_response(sixth)

    assert_problem(status, headers, body, expected=503)
    assert headers["retry-after"] == "1"


def test_responses_name_no_server_product(server: tuple[str, int]) -> None:
    response = httpx.get(f"http://{server[0]}:{server[1]}/healthz")

    assert "server" not in response.headers


def test_requests_piled_up_without_reading_the_answers_close_the_connection(server: tuple[str, int]) -> None:
    started = time.monotonic()
    with socket.create_connection(server, timeout=10) as connection:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n" * 20_000)
        answered = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := connection.recv(1 << 16):
                answered += chunk
    served = httpx.get(f"http://{server[0]}:{server[1]}/healthz")

    assert answered.count(b"HTTP/1.1 200") <= 20  # closed instead of queueing them all
    assert time.monotonic() - started < 5
    assert served.status_code == 200


def test_junk_after_a_request_lets_its_answer_out_then_closes(server: tuple[str, int]) -> None:
    body = b'{"name": "Ada"}'
    request = b"POST /new HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    request += b"Content-Length: %d\r\n\r\n" % len(body) + body + b"GARBAGE\r\n\r\n"

    status, headers, answer = exchange(server, request)

    assert status == 200
    assert b"inserted_id" in answer
    assert headers.get("connection") == "close"


@pytest.mark.parametrize(
    "request_line",
    [b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-a: " + b"a" * 100_000 + b"\r\n\r\n",
     b"GET /contacts?q=" + b"a" * 40_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n"],
    ids=["one large header", "a long query string"],
)  # fmt: skip
def test_headers_over_the_limit_are_431_even_in_one_read(server: tuple[str, int], request_line: bytes) -> None:
    with socket.create_connection(server, timeout=10) as connection:
        connection.sendall(request_line)
        answer = read_response(connection)

    assert_problem(*answer, expected=431)
