"""The supervisor: starts the embedded database child (`python -m embedded PATH [PORT]`), keeps it up, stops it.

`EmbeddedDatabase` reads the child's port from its first line of output, composes the URI with
the file's credential, and waits for a ping. The child runs in a session of its own, so a
terminal's Ctrl-C reaches the API first; it stops cleanly on SIGTERM, SIGINT, or when its parent
goes away (its stdin closes), so it can never outlive the service. `supervise()` restarts it,
on the same file and port, whenever it dies.
"""

import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

from embedded.files import DatabaseFiles
from embedded.status import State, write_status

ALREADY_SERVED = 3  # the child's exit code when another process holds the file's lock
# A first start waits this long for the lock: the previous service's child, whose service was just killed,
# stops by itself (its stdin closes), but not at once. A restart of our own dead child has nothing to wait for.
LOCK_WAIT = 5.0
LOCK_WAIT_VARIABLE = "EMBEDDED_LOCK_WAIT"

START_TIMEOUT = 15.0
# SIGTERM first; SIGKILL after this. Committed writes are in SQLite's WAL already, so a kill loses none,
# and shutdown stays bounded even when the database is stalled (SIGSTOP).
STOP_TIMEOUT = 2.0
RESTART_BACKOFF = (0.25, 5.0)  # seconds: the first delay, doubled each time, up to the second
FAILURES_TO_GIVE_UP = 5  # deaths within FAILURE_WINDOW that make the state `failed` (liveness fails)
FAILURE_WINDOW = 60.0


class EmbeddedDatabaseError(RuntimeError):
    """The embedded database could not be started."""


class EmbeddedDatabase:
    """Handle on a running embedded database child process; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.files = DatabaseFiles(path)
        self.uri = ""
        self.port: int | None = None  # kept across restarts, so that clients reconnect by themselves
        self._process: subprocess.Popen[str] | None = None
        self._stopping = threading.Event()
        self._lock = threading.RLock()

    @staticmethod
    def running_uri(path: Path) -> str | None:
        """The URI (with its credential) of a server another process runs on `path`, if one does."""
        files = DatabaseFiles(path)
        port = files.recorded_port() if files.is_served() else None
        return files.uri(port) if port is not None else None

    @property
    def is_running(self) -> bool:
        """Whether the child process was launched and has not exited."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> str:
        """Start the server, wait until it answers a ping, and return its MongoDB URI."""
        self.launch()
        return self.wait_ready()

    def command(self) -> list[str]:
        """The child's command line: this package, serving `path` (on `port` once it has one)."""
        return [sys.executable, "-m", "embedded", str(self.path), *([str(self.port)] if self.port else [])]

    def launch(self) -> None:
        """Spawn the server process without waiting for it (it takes a while to import)."""
        if importlib.util.find_spec("mongoeco") is None:
            raise EmbeddedDatabaseError(
                "the embedded database is not installed (dependency group `embedded`): "
                "set MONGODB_URL to use MongoDB, or install it with `uv sync --group embedded`"
            )
        self.files.password()  # created here, so that the child and this process agree on it
        self._process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            self.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
            cwd=Path(__file__).resolve().parent.parent,
            env=os.environ | {LOCK_WAIT_VARIABLE: str(LOCK_WAIT if self.port is None else 0)},
        )

    def wait_ready(self) -> str:
        """Wait until the launched server answers a ping; return its MongoDB URI."""
        if self._process is None or self._process.stdout is None:
            raise EmbeddedDatabaseError("embedded database was not launched")
        printed = self._process.stdout.readline().strip()
        port = urlsplit(printed).port if printed.startswith("mongodb://") else None
        if port is None:
            code = self._process.wait(STOP_TIMEOUT) if self._process.poll() is None else self._process.poll()
            self._terminate()
            reason = f" ({self.path} is already served by another process)" if code == ALREADY_SERVED else ""
            raise EmbeddedDatabaseError(f"embedded database did not start (exit code {code}){reason}")
        self.port = port
        self.uri = self.files.uri(port)
        self._wait_for_ping()
        return self.uri

    def _wait_for_ping(self) -> None:
        # Imported here, not at the top: `python -m api` imports this module before it launches the child,
        # and pymongo takes about 0.4 s to import.
        from pymongo import MongoClient
        from pymongo.errors import PyMongoError

        deadline = time.monotonic() + START_TIMEOUT
        client: MongoClient[dict[str, object]]
        with MongoClient(self.uri, serverSelectionTimeoutMS=500) as client:
            while True:
                try:
                    client.admin.command("ping")
                    return
                except PyMongoError as error:
                    if time.monotonic() > deadline:
                        self._terminate()
                        raise EmbeddedDatabaseError("embedded database did not answer a ping") from error

    def supervise(self, status: Path) -> None:
        """Restart the child whenever it dies, with backoff, until `stop()`; keep its state in `status`."""
        write_status(status, "running", 0)
        threading.Thread(target=self._watch, args=(status,), name="embedded-database", daemon=True).start()

    def _watch(self, status: Path) -> None:
        restarts, deaths = 0, deque[float]()
        while not self._stopping.is_set():
            process = self._process
            if process is not None:
                process.wait()
            if self._stopping.is_set():
                return
            now = time.monotonic()
            deaths.append(now)
            while deaths and deaths[0] < now - FAILURE_WINDOW:
                deaths.popleft()
            state: State = "failed" if len(deaths) > FAILURES_TO_GIVE_UP else "restarting"
            write_status(status, state, restarts)
            first, longest = RESTART_BACKOFF
            if self._stopping.wait(min(first * 2 ** (len(deaths) - 1), longest)):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                try:
                    self.start()
                except EmbeddedDatabaseError:
                    self._process = None
                    continue
            restarts += 1
            write_status(status, "running", restarts)  # recovered: liveness holds again

    def stop(self) -> None:
        """Ask the server to finish its work and exit; kill it only if it does not."""
        self._stopping.set()
        with self._lock:
            self._terminate()

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
