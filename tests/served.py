"""`python -m api` as a separate process on a free loopback port: for tests that measure the server itself."""

import os
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
from tests.paths import REPO_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class Served:
    """A running service: where it listens, and its process."""

    base_url: str
    process: subprocess.Popen[bytes]

    def rss_kib(self) -> int:
        """The service's resident memory."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


@contextmanager
def served(settings: Settings, log: Path, **environment: str) -> Iterator[Served]:
    """Run `python -m api` on the test's database with `environment` added; stop it afterwards."""
    assert settings.mongodb_url is not None
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name not in {"DATA_DIR", "AUTH_REQUIRED"}}
    env |= {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "MONGODB_URL": settings.mongodb_url.get_secret_value(),
        "MONGODB_DB": settings.mongodb_db,
        "LOG_LEVEL": "warning",
        **environment,
    }
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "api"], cwd=REPO_ROOT, env=env, stdout=output, stderr=output)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield Served(base_url, process)
    finally:
        process.terminate()
        process.wait(30)
