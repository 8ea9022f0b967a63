"""schemathesis against the live app: every check, every phase, a fixed seed, zero failures.

FUZZ_EXAMPLES sets the examples per operation (CI: 100; `make fuzz`: 1000). The JUnit report
is kept at build/schemathesis/junit.xml.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO_ROOT

pytestmark = pytest.mark.contract

CONFIG = REPO_ROOT / "openapi" / "schemathesis.toml"
JUNIT = REPO_ROOT / "build" / "schemathesis" / "junit.xml"
DECLARED_LINKS = 7  # createContact -> get/replace/patch/delete, getContact -> replace/patch/delete


def schemathesis(config: Path, url: str, *options: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config), "run", url]
    return subprocess.run([*command, *options], cwd=REPO_ROOT, capture_output=True, text=True, check=False)


def test_schemathesis_finds_no_failure(live_server: str) -> None:
    JUNIT.parent.mkdir(parents=True, exist_ok=True)

    run = schemathesis(
        CONFIG, f"{live_server}/openapi.json",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", os.environ.get("FUZZ_EXAMPLES", "100"),
        "--report", "junit", "--report-junit-path", str(JUNIT),
        "--no-color",
    )  # fmt: skip

    print(run.stdout[run.stdout.rfind("SUMMARY") :])
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert "API Operations:\n  Selected: 12/12\n  Tested: 12" in run.stdout
    assert JUNIT.exists()


def test_the_stateful_phase_follows_the_declared_links(live_server: str, tmp_path: Path) -> None:
    # With link inference off, every link schemathesis follows is one the contract declares.
    config = tmp_path / "declared-links-only.toml"
    config.write_text(
        CONFIG.read_text().replace("[phases.stateful]\n", "[phases.stateful]\ninference.algorithms = []\n")
    )

    run = schemathesis(config, f"{live_server}/openapi.json", "--phases", "stateful", "-n", "10", "--no-color")

    links = re.search(r"API Links: +(\d+) covered / (\d+) selected / (\d+) total(.*)", run.stdout)
    assert links is not None, run.stdout[-5000:]
    assert [int(count) for count in links.groups()[:3]] == [DECLARED_LINKS] * 3
    assert "inferred" not in links.group(4)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
