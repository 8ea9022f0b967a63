"""`python -m api` as a separate process on a free loopback port: for tests that measure or break the server.

On the test's database (MongoDB or the session's embedded server), or, with `data_dir`, on its own
supervised embedded database, exactly as `make run` serves.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.settings import Settings
from embedded import FILE_NAME
from tests.paths import REPO_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def rss_kib(pid: int) -> int:
    """A process's resident memory."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


@dataclass(slots=True)
class Served:
    """A running service: where it listens, its process, its log, and its embedded database's folder."""

    base_url: str
    process: subprocess.Popen[bytes]
    log: Path
    data_dir: Path | None

    def rss_kib(self) -> int:
        """The service's resident memory."""
        return rss_kib(self.process.pid)

    def database_pid(self) -> int:
        """The pid of the embedded database's child process (the one serving now)."""
        assert self.data_dir is not None
        pid: int = json.loads((self.data_dir / f"{FILE_NAME}.address").read_text())["pid"]
        return pid

    def wait_until(self, path: str, status: int, timeout: float = 30) -> float:
        """Poll `path` until it answers `status`; the seconds it took."""
        started = time.monotonic()
        while True:
            try:
                if httpx.get(f"{self.base_url}{path}", timeout=3).status_code == status:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() - started < timeout, (
                f"{path} never answered {status}:\n{self.log.read_text()[-3000:]}"
            )
            time.sleep(0.05)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Signal the service and wait for it to exit; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout)


@contextmanager
def served(settings: Settings | None, log: Path, data_dir: Path | None = None, **environment: str) -> Iterator[Served]:
    """Run `python -m api` with `environment` added (on `settings`' database, or embedded in `data_dir`)."""
    port = free_port()
    removed = {"DATA_DIR", "AUTH_REQUIRED", "MONGODB_URL", "MONGODB_DB", "PROMETHEUS_MULTIPROC_DIR"}
    env = {name: value for name, value in os.environ.items() if name not in removed}
    env |= {"HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "info"}
    if data_dir is not None:
        env["DATA_DIR"] = str(data_dir)
    elif settings is not None and settings.mongodb_url is not None:
        env |= {"MONGODB_URL": settings.mongodb_url.get_secret_value(), "MONGODB_DB": settings.mongodb_db}
    env |= environment
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "api"], cwd=REPO_ROOT, env=env, stdout=output, stderr=output, start_new_session=True
        )
    service = Served(f"http://127.0.0.1:{port}", process, log, data_dir)
    try:
        service.wait_until("/readyz", 200)
        yield service
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        # Whatever the service started and left behind (its workers outlive a SIGKILLed supervisor).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
