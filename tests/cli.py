"""`python -m api <command>` in a process of its own, for the command-line tests, on a database of their choosing.

The `on_mongodb` fixture (tests/conftest.py) points one at the test's own database server.
"""

import os
import subprocess
import sys

from tests.paths import REPO_ROOT

# Whatever the test run's environment says about the database is not the command's: each test passes its own.
_UNSET = {"MONGODB_URL", "MONGODB_DB", "DATA_DIR", "MIGRATE_ON_START"}


def run_api(*arguments: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `python -m api ARGUMENTS` with `env` added; its exit code and output."""
    base = {name: value for name, value in os.environ.items() if name not in _UNSET}
    return subprocess.run(
        [sys.executable, "-m", "api", *arguments],
        cwd=REPO_ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
