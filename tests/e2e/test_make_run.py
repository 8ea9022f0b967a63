"""`make run` end to end: the seed's curl session, a restart on the same data, a clean stop."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.paths import REPO_ROOT

pytestmark = pytest.mark.e2e
READY_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def processes_mentioning(text: str) -> list[int]:
    """Pids of live processes whose command line contains `text`."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


class Service:
    def __init__(self, process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
        self.process, self.base_url, self.log = process, base_url, log
        self.ready_after = 0.0

    def wait_ready(self) -> None:
        started = time.monotonic()
        while time.monotonic() - started < READY_TIMEOUT:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    self.ready_after = time.monotonic() - started
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"not ready after {READY_TIMEOUT}s:\n{self.log.read_text()}")

    def stop(self, signum: signal.Signals) -> int:
        """Send `signum` to the whole process group, as a terminal's Ctrl-C does."""
        os.killpg(self.process.pid, signum)
        return self.process.wait(30)


@contextmanager
def make_run(data_dir: Path, log: Path) -> Iterator[Service]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"MONGODB_URL", "MAKEFLAGS", "MAKELEVEL"}}
    env |= {"HOST": "127.0.0.1", "PORT": str(port), "DATA_DIR": str(data_dir), "LOG_LEVEL": "info"}
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    service = Service(process, f"http://127.0.0.1:{port}", log)
    try:
        yield service
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_make_run_serves_the_seed_session_keeps_data_and_stops_cleanly(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    with make_run(data_dir, tmp_path / "first.log") as service:
        service.wait_ready()
        inserted = httpx.post(
            f"{service.base_url}/new", content=b'{"name": "masnun"}', headers={"Content-Type": "application/json"}
        )
        listed = httpx.get(f"{service.base_url}/")
        exit_code = service.stop(signal.SIGINT)
    first_log = service.log.read_text()
    print(f"cold start to ready: {service.ready_after:.2f}s")

    assert inserted.status_code == 200
    contact_id = inserted.json()["inserted_id"]
    assert listed.json() == [{"id": contact_id, "name": "masnun"}]
    assert "event loop uvloop.Loop" in first_log
    assert f"embedded SQLite file {data_dir.resolve() / 'contacts.sqlite3'}" in first_log
    assert "embedded database stopped" in first_log
    assert exit_code in (0, 2, -signal.SIGINT, 128 + signal.SIGINT), first_log
    assert processes_mentioning(str(data_dir)) == []
    assert (data_dir / "contacts.sqlite3").exists()

    with make_run(data_dir, tmp_path / "second.log") as service:
        service.wait_ready()
        relisted = httpx.get(f"{service.base_url}/")
        service.stop(signal.SIGTERM)

    assert relisted.json() == [{"id": contact_id, "name": "masnun"}]
    assert "embedded database stopped" in service.log.read_text()
    assert processes_mentioning(str(data_dir)) == []
