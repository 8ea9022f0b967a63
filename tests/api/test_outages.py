"""Faults, for real: a stalled or killed embedded database, and SIGTERM with requests in flight.

Each test runs `python -m api` on its own supervised embedded database, as `make run` does.
"""

import fcntl
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from embedded import FILE_NAME
from tests.factories import contact_payload
from tests.served import Served, served

pytestmark = pytest.mark.slow
PROBLEM = "application/problem+json"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Served]:
    with served(None, tmp_path / "service.log", data_dir=tmp_path / "data", SHUTDOWN_TIMEOUT="3") as running:
        yield running


def timed(call: object) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()  # type: ignore[operator]
    return response, time.monotonic() - started


def test_a_stalled_database_is_503_within_2_s_and_service_resumes_by_itself(service: Served) -> None:
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        assert client.post("/contacts", json=contact_payload()).status_code == 201
        database = service.database_pid()
        os.kill(database, signal.SIGSTOP)
        try:
            # The write reaches the stalled database and gets no answer: its outcome is unknown. Then the
            # driver knows the server is gone, and the read is not even sent.
            write, write_seconds = timed(lambda: client.post("/contacts", json=contact_payload(name="Stalled")))
            read, read_seconds = timed(lambda: client.get("/contacts"))
            ready = client.get("/readyz")
            alive = client.get("/healthz")
        finally:
            os.kill(database, signal.SIGCONT)
        recovered_after = service.wait_until("/contacts", 200, timeout=10)
        after = client.get("/contacts")  # the same pooled connection: still usable

    print(f"stall: read 503 after {read_seconds:.2f} s, write after {write_seconds:.2f} s; "
          f"recovered {recovered_after:.2f} s after SIGCONT")  # fmt: skip
    assert (read.status_code, read.headers["content-type"]) == (503, PROBLEM)
    assert read.json()["type"] == "/problems/database-unavailable"
    assert read.headers["retry-after"] == "1"
    assert write.status_code == 503
    assert write.json()["type"] == "/problems/outcome-unknown"
    assert "Idempotency-Key" in write.json()["detail"]
    assert max(read_seconds, write_seconds) < 2.5
    assert (ready.status_code, alive.status_code) == (503, 200)
    assert after.status_code == 200


def test_a_create_retried_with_its_key_after_an_unknown_outcome_is_stored_once(service: Served) -> None:
    key = {"Idempotency-Key": "across-the-stall"}
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        database = service.database_pid()
        os.kill(database, signal.SIGSTOP)
        try:
            first = client.post("/contacts", json=contact_payload(name="Once"), headers=key)
        finally:
            os.kill(database, signal.SIGCONT)
        service.wait_until("/readyz", 200, timeout=10)
        retry = client.post("/contacts", json=contact_payload(name="Once"), headers=key)
        stored = client.get("/contacts", params={"q": "once"}).json()["items"]

    assert first.status_code == 503
    assert retry.status_code == 201
    assert [item["id"] for item in stored] == [retry.json()["id"]]


def test_a_killed_database_is_restarted_on_the_same_file_and_service_resumes(service: Served) -> None:
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        kept = client.post("/contacts", json=contact_payload(name="Kept")).json()
        killed = service.database_pid()
        os.kill(killed, signal.SIGKILL)
        # The driver retries a read once, within its deadline; the restart may already be done by then.
        during = client.get("/contacts")
        recovered_after = service.wait_until("/contacts", 200, timeout=15)
        after = client.get(f"/contacts/{kept['id']}")
        metrics = client.get("/metrics").text

    print(f"kill -9 of the database: service again after {recovered_after:.2f} s")
    assert during.status_code in (200, 503)
    assert after.json() == kept
    assert service.database_pid() != killed
    assert "contacts_embedded_db_restarts_total 1.0" in metrics
    assert recovered_after < 10


def test_liveness_fails_only_once_the_database_keeps_dying(service: Served) -> None:
    assert service.data_dir is not None
    lock = os.open(service.data_dir / f"{FILE_NAME}.lock", os.O_RDWR)
    try:
        os.kill(service.database_pid(), signal.SIGKILL)
        time.sleep(0.05)
        fcntl.flock(lock, fcntl.LOCK_EX)  # every restart now finds the file taken and dies at once
        alive_while_restarting = httpx.get(f"{service.base_url}/healthz").status_code
        failed_after = service.wait_until("/healthz", 503, timeout=30)
    finally:
        os.close(lock)
    recovered_after = service.wait_until("/healthz", 200, timeout=30)

    print(f"liveness failed {failed_after:.1f} s after the database began dying; back {recovered_after:.1f} s later")
    assert alive_while_restarting == 200
    assert service.process.poll() is None


def test_sigterm_lets_a_request_in_flight_finish_then_exits_0(service: Served) -> None:
    host, port = service.base_url.removeprefix("http://").split(":")
    body = b'{"name": "In Flight"}'
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"POST /contacts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n")
        connection.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
        time.sleep(0.3)
        service.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{service.base_url}/healthz", timeout=1)  # no longer accepting
        connection.sendall(body[5:])
        answer = connection.recv(1 << 16)
        started = time.monotonic()
        code = service.process.wait(15)

    print(f"drained and stopped {time.monotonic() - started:.2f} s after the last request ended")
    assert answer.startswith(b"HTTP/1.1 201")
    assert code == 0
    assert "embedded database stopped" in service.log.read_text()


def test_shutdown_is_bounded_when_the_database_is_stalled(service: Served) -> None:
    os.kill(service.database_pid(), signal.SIGSTOP)
    started = time.monotonic()

    code = service.stop(signal.SIGTERM, timeout=30)

    seconds = time.monotonic() - started
    print(f"shutdown with the database stalled: {seconds:.2f} s (SHUTDOWN_TIMEOUT 3 s)")
    assert code == 0
    assert seconds < 3 + 3
