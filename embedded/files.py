"""The files beside an embedded database's SQLite file: its credential, its lock and its address.

Every one is created readable by the service's user alone (0600), in a folder only that user can
enter (0700 when we create it), so no other local user can read the data or reach the server.
"""

import fcntl
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

USER = "contacts-service"
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


@dataclass(frozen=True, slots=True)
class DatabaseFiles:
    """The sidecar files of the SQLite file at `path`."""

    path: Path

    def _beside(self, suffix: str) -> Path:
        return self.path.with_name(self.path.name + suffix)

    @property
    def lock(self) -> Path:
        """Held (flock) by the one server process that serves the file."""
        return self._beside(".lock")

    @property
    def secret(self) -> Path:
        """The password of the server's only user."""
        return self._beside(".secret")

    @property
    def status(self) -> Path:
        """The supervisor's account of the server: running, restarting or failed (embedded/status.py)."""
        return self._beside(".status")

    @property
    def address(self) -> Path:
        """Where the running server listens (written by the server, removed when it stops)."""
        return self._beside(".address")

    def prepare_folder(self) -> None:
        """Create the data folder, private to this user, if it does not exist."""
        self.path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)

    def password(self) -> str:
        """The server's password, created (256 random bits) the first time it is asked for."""
        self.prepare_folder()
        try:
            descriptor = os.open(self.secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        except FileExistsError:
            return self.secret.read_text().strip()
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(32))
        return self.secret.read_text().strip()

    def uri(self, port: int) -> str:
        """The MongoDB URI of the server on `port`, with its credential."""
        options = "authSource=admin&authMechanism=SCRAM-SHA-256&directConnection=true"
        return f"mongodb://{USER}:{self.password()}@127.0.0.1:{port}/?{options}"

    def write_address(self, port: int) -> None:
        """Record where this process serves the file (private to this user)."""
        descriptor = os.open(self.address, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(descriptor, "w") as file:
            json.dump({"pid": os.getpid(), "port": port}, file)

    def is_served(self) -> bool:
        """Whether a server process holds the file's lock right now."""
        if not self.lock.exists():
            return False
        descriptor = os.open(self.lock, os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(descriptor)
        return False

    def recorded_port(self) -> int | None:
        """The port a running server recorded, if any."""
        try:
            port = json.loads(self.address.read_text())["port"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return port if isinstance(port, int) else None
