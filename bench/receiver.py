"""A real webhook receiver on 127.0.0.1: records every request (and when it came), fails with 500 while told to.

The benchmark measures delivery lag with it (bench/webhook_lag.py), the tests check deliveries with it.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson


@dataclass
class Received:
    """One request: its headers, its body, and what the receiver answered."""

    headers: dict[str, str]
    body: str
    status: int
    at: float  # time.time() when it arrived

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(self.body)
        return parsed


@dataclass
class Receiver:
    """What arrived, and a switch: while `failing` is set, every request gets a 500."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    failing: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay: float = 0.0  # seconds each answer takes
    in_flight: int = 0
    most_in_flight: int = 0

    def accepted(self) -> list[Received]:
        """The requests it answered 2xx, in arrival order."""
        with self.lock:
            return [request for request in self.requests if request.status < 300]


@contextmanager
def receiving(port: int = 0) -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 (on `port`, or a free one) until the block ends."""
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            arrived = time.time()
            body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
            with receiver.lock:
                receiver.in_flight += 1
                receiver.most_in_flight = max(receiver.most_in_flight, receiver.in_flight)
            time.sleep(receiver.delay)
            status = 500 if receiver.failing.is_set() else 204
            with receiver.lock:
                receiver.in_flight -= 1
                receiver.requests.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, body, status, arrived)
                )
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
