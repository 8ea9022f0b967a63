"""Starting, probing and stopping the processes under test: this API, the seed and Eve services, a cold start.

Every process gets a session of its own (so a terminal's Ctrl-C reaches only the harness) and is
stopped as a group, SIGTERM first and SIGKILL if it lingers, so none outlives the harness.
"""

import contextlib
import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Self

from bench.config import REPO_ROOT
from bench.progress import say

READY_TIMEOUT = 60.0
PORTS_FROM = 20000  # servers' ports: from here to the start of the kernel's ephemeral range
STOP_TIMEOUT = 10.0
_PR_SET_PDEATHSIG = 1
_prctl: Callable[[int, int], int] | None
try:  # resolved here, so that the forked child only calls it
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None
SEED_REQUIREMENTS = Path(__file__).resolve().parent / "seed-requirements.txt"
EVE_REQUIREMENTS = Path(__file__).resolve().parent / "eve-requirements.txt"
EVE_APP = "bench.eve_app:app"  # a WSGI path, imported by gunicorn from the repository root (the services' cwd)


class ServiceError(RuntimeError):
    """A service did not start or answer."""


def free_port() -> int:
    """A free TCP port on the loopback interface, below the kernel's ephemeral range.

    A port the kernel hands out (bind to 0) is free now, but it comes from the range it also takes the local
    ports of outgoing connections from: by the time a server binds it seconds later, a client may hold it.
    """
    for _ in range(100):
        port = random.randrange(PORTS_FROM, _ephemeral_ports_from())  # noqa: S311 (not a secret)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ServiceError("no free port below the ephemeral range")


def _ephemeral_ports_from() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """The status of GET `url`, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (http://127.0.0.1 only)
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, urllib.error.URLError):
        return None


def process_memory_mb(pid: int) -> dict[str, float]:
    """Resident set size now (`rss_mb`) and at its peak (`peak_rss_mb`), from /proc."""
    fields = {"VmRSS": "rss_mb", "VmHWM": "peak_rss_mb"}
    memory = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in fields:
            memory[fields[name]] = round(int(value.split()[0]) / 1024, 1)
    return memory


def rss_mb(pid: int) -> float:
    """Resident set size now, in MB (0 when the process is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    kib = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return round(kib / 1024, 1)


class RssSampler:
    """The resident memory of a process before and, sampled every `interval` seconds, at its peak meanwhile.

    /proc's VmHWM is the peak of the process's whole life, so for one request of a long-running server the
    harness samples VmRSS from a thread instead (a peak shorter than `interval` can be missed).
    """

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        self.pid, self.interval = pid, interval
        self.before_mb = self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, rss_mb(self.pid))

    def __enter__(self) -> Self:
        self.before_mb = self.peak_mb = rss_mb(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, rss_mb(self.pid))

    def as_dict(self) -> dict[str, float]:
        """Before, peak and their difference, in MB."""
        return {
            "rss_before_mb": self.before_mb,
            "rss_peak_mb": self.peak_mb,
            "rss_growth_mb": round(self.peak_mb - self.before_mb, 1),
        }


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def find_pid(*needles: str) -> int | None:
    """The pid of a live process whose command line contains every one of `needles`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if all(needle in command for needle in needles):
            return int(entry.name)
    return None


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            children.append(int(entry.name))
    return children


def worker_pid(pid: int) -> int:
    """The process that serves requests: down from `pid` while there is exactly one child (gunicorn's worker)."""
    while len(children := _children(pid)) == 1:
        pid = children[0]
    return pid


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the harness dies, even by SIGKILL (Linux prctl)."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Service:
    """A server process on 127.0.0.1:`port`, in a session of its own; use as a context manager."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.name, self.command, self.env, self.port, self.log = name, command, env, port, log
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    @property
    def pid(self) -> int:
        """The server's process id."""
        if self.process is None:
            raise RuntimeError(f"{self.name} was not started")
        return self.process.pid

    def start(self) -> Self:
        """Spawn the process (output to the log file)."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as output:
            self.started_at = time.perf_counter()
            self.process = subprocess.Popen(  # noqa: S603 (our interpreters and scripts)
                self.command,
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        return self

    def wait_ready(self, path: str, timeout: float = READY_TIMEOUT, interval: float = 0.01) -> float:
        """Poll GET `path` until it is 200; return the seconds since the process was spawned."""
        if self.process is None:
            raise RuntimeError(f"{self.name} was not started")
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise ServiceError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
            if http_status(self.base_url + path, timeout=1.0) == 200:
                return time.perf_counter() - self.started_at
            time.sleep(interval)
        raise ServiceError(f"{self.name} was not ready after {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL after STOP_TIMEOUT; safe to call twice."""
        process, self.process = self.process, None
        if process is None:
            return
        for signum in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signum)
            try:
                process.wait(STOP_TIMEOUT)
                return
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _base_env() -> dict[str, str]:
    drop = {"MONGODB_URL", "MONGODB_DB", "PORT", "HOST", "WORKERS", "DATA_DIR", "MAKEFLAGS", "MAKELEVEL"}
    return {key: value for key, value in os.environ.items() if key not in drop}


def api_service(log: Path, mongodb_url: str | None, database: str, data_dir: Path | None = None) -> Service:
    """`python -m api` with one worker; without `mongodb_url` it starts its own embedded database."""
    port = free_port()
    env = _base_env() | {"HOST": "127.0.0.1", "PORT": str(port), "WORKERS": "1", "LOG_LEVEL": "warning"}
    env |= {"MONGODB_DB": database, "CURSOR_SECRET": "bench-cursor-secret", "WEBHOOK_ALLOW_PRIVATE": "true"}
    if mongodb_url is not None:
        env["MONGODB_URL"] = mongodb_url
    if data_dir is not None:
        env["DATA_DIR"] = str(data_dir)
    return Service("api", [sys.executable, "-m", "api"], env, port, log)


def seed_service(log: Path, python: Path, seed_app: Path, mongodb_url: str) -> Service:
    """The seed blog post's Sanic service, one worker, in its own virtual environment."""
    port = free_port()
    env = _base_env() | {"SEED_MONGO": mongodb_url, "SEED_PORT": str(port), "SEED_WORKERS": "1"}
    return Service("seed", [str(python), str(seed_app)], env, port, log)


def eve_service(log: Path, python: Path, mongodb_url: str, database: str) -> Service:
    """The Eve (Flask + PyMongo) contacts service under gunicorn, one worker with 8 threads, in its own venv."""
    port = free_port()
    env = _base_env() | {"EVE_MONGO_URI": mongodb_url, "EVE_MONGO_DBNAME": database}
    command = [str(python), "-m", "gunicorn", "--workers", "1", "--threads", "8", "--bind", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", EVE_APP]  # no --access-logfile: gunicorn writes no access log
    return Service("eve", command, env, port, log)


def _uv() -> str:
    uv = REPO_ROOT / ".tools" / "bin" / "uv"
    found = str(uv) if uv.exists() else shutil.which("uv")
    if found is None:
        raise ServiceError("uv not found: run `make install` first (it installs uv into .tools/)")
    return found


def ensure_venv(venv: Path, requirements: Path, name: str) -> Path:
    """The interpreter of a throwaway venv at `venv` holding exactly `requirements`, built with uv on first use.

    The venv is reused while its stamp matches the requirements file, and rebuilt from scratch otherwise.
    """
    python = venv / "bin" / "python"
    stamp = venv / ".requirements"
    wanted = requirements.read_text()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    base = os.environ.get("PYTHON") or str(getattr(sys, "_base_executable", sys.executable))
    env = os.environ | {"UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    say(f"creating the {name} service's virtualenv in {venv}")
    commands: list[list[str]] = [
        [_uv(), "venv", "--quiet", "--clear", "--python", base, str(venv)],
        [_uv(), "pip", "install", "--quiet", "--python", str(python), "-r", str(requirements)],
    ]
    for command in commands:
        subprocess.run(command, check=True, env=env)  # noqa: S603 (uv, with our arguments)
    stamp.write_text(wanted)
    return python


def wrk_path() -> str:
    """The wrk binary, or a clear error naming the package that provides it."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise ServiceError("wrk is not installed; the load generator comes from Debian: apt-get install -y wrk")
    return wrk
