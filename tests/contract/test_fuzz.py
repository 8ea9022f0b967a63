"""schemathesis against the live app: every check, every phase, a fixed seed, zero failures.

FUZZ_EXAMPLES sets the examples per operation (CI: 100; `make fuzz`: 1000). The JUnit report
is kept at build/schemathesis/junit.xml.
"""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from tests.live_server import LiveServer
from tests.paths import REPO_ROOT

pytestmark = pytest.mark.contract

CONFIG = REPO_ROOT / "openapi" / "schemathesis.toml"
JUNIT = REPO_ROOT / "build" / "schemathesis" / "junit.xml"
DECLARED_LINKS = 7  # createContact -> get/replace/patch/delete, getContact -> replace/patch/delete


@pytest.fixture
def fuzzed(settings: Settings, tenant_keys: dict[str, str]) -> Iterator[tuple[str, str]]:
    """The app as deployed (AUTH_REQUIRED=true, a generous rate limit), and a key for it."""
    with LiveServer(
        settings.model_copy(update={"auth_required": True, "rate_limit": "100000/minute"})
    ).running() as url:
        yield url, tenant_keys["acme"]


def schemathesis(config: Path, target: tuple[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    base_url, key = target
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config)]
    command += ["run", f"{base_url}/openapi.json", "--header", f"Authorization: Bearer {key}"]
    return subprocess.run([*command, *options], cwd=REPO_ROOT, capture_output=True, text=True, check=False)


def test_schemathesis_finds_no_failure(fuzzed: tuple[str, str]) -> None:
    JUNIT.parent.mkdir(parents=True, exist_ok=True)

    run = schemathesis(
        CONFIG, fuzzed,
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", os.environ.get("FUZZ_EXAMPLES", "100"),
        "--report", "junit", "--report-junit-path", str(JUNIT),
        "--no-color",
    )  # fmt: skip

    print(run.stdout[run.stdout.rfind("SUMMARY") :])
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert "API Operations:\n  Selected: 40/40\n  Tested: 40" in run.stdout
    assert JUNIT.exists()


def test_the_stateful_phase_follows_the_declared_links(fuzzed: tuple[str, str], tmp_path: Path) -> None:
    # With link inference off, every link schemathesis follows is one the contract declares.
    config = tmp_path / "declared-links-only.toml"
    config.write_text(
        CONFIG.read_text().replace("[phases.stateful]\n", "[phases.stateful]\ninference.algorithms = []\n")
    )

    run = schemathesis(config, fuzzed, "--phases", "stateful", "-n", "10", "--no-color")

    links = re.search(r"API Links: +(\d+) covered / (\d+) selected / (\d+) total(.*)", run.stdout)
    assert links is not None, run.stdout[-5000:]
    assert [int(count) for count in links.groups()[:3]] == [DECLARED_LINKS] * 3
    assert "inferred" not in links.group(4)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
