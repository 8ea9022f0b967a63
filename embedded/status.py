"""The supervised embedded database's state, shared with the service's workers through a small file.

The supervisor (in `python -m api`'s main process) writes it; every worker reads it for `/healthz` and
`/metrics`. The file's path is in EMBEDDED_DB_STATUS, which `python -m api` sets for its workers.
"""

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

ENVIRONMENT = "EMBEDDED_DB_STATUS"
State = Literal["running", "restarting", "failed"]


@dataclass(frozen=True, slots=True)
class Status:
    """`running`; `restarting` after the child died; `failed` once it keeps dying (liveness fails then)."""

    state: State
    restarts: int
    since: float


def write_status(path: Path, state: State, restarts: int) -> None:
    """Replace the status file atomically (readers never see half of it)."""
    partial = path.with_name(path.name + ".tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(asdict(Status(state, restarts, time.time())), file)
    partial.replace(path)


def read_status(path: Path | None = None) -> Status | None:
    """The status the supervisor last wrote; None when there is no supervised embedded database."""
    location = path or (Path(os.environ[ENVIRONMENT]) if ENVIRONMENT in os.environ else None)
    if location is None:
        return None
    try:
        loaded = json.loads(location.read_text())
        return Status(state=loaded["state"], restarts=int(loaded["restarts"]), since=float(loaded["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
