"""schemathesis against the live app: every check, every phase, a fixed seed, zero failures.

FUZZ_EXAMPLES sets the examples per operation (CI: 100; `make fuzz`: 1000). The JUnit report
is kept at build/schemathesis/junit.xml.
"""

import os
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO_ROOT

ROOT = REPO_ROOT
JUNIT = ROOT / "build" / "schemathesis" / "junit.xml"


def test_schemathesis_finds_no_failure(live_server: str) -> None:
    JUNIT.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(ROOT / "openapi" / "schemathesis.toml"),
        "run", f"{live_server}/openapi.json",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", os.environ.get("FUZZ_EXAMPLES", "100"),
        "--report", "junit", "--report-junit-path", str(JUNIT),
        "--no-color",
    ]  # fmt: skip

    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)

    summary = run.stdout[run.stdout.rfind("SUMMARY") :]
    print(summary)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert "API Operations:\n  Selected: 12/12\n  Tested: 12" in run.stdout
    assert JUNIT.exists()
