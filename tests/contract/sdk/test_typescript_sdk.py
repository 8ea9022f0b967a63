"""The generated TypeScript SDK (@hey-api/openapi-ts) typechecks strictly and drives the real app under Node."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.contract.sdk.conftest import NODE_TOOLS, ROOT, GeneratedSdks

pytestmark = pytest.mark.contract

NODE_TEST = Path(__file__).with_name("typescript_sdk.test.ts")
TSCONFIG = ROOT / "openapi" / "sdk" / "tsconfig.json"
TIMEOUT = 120


def node() -> str:
    executable = shutil.which("node")
    if executable is None:
        pytest.fail("`node` is not on PATH; the TypeScript SDK needs Node 20.19 or newer", pytrace=False)
    return executable


def run(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run in openapi/tools, so `--import tsx` and tsc resolve from its node_modules (installed by `make sdk`)."""
    return subprocess.run(
        command, cwd=NODE_TOOLS, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def test_generated_sdk_and_its_test_typecheck_strictly(generated_sdks: GeneratedSdks) -> None:
    result = run(node(), str(NODE_TOOLS / "node_modules" / ".bin" / "tsc"), "-p", str(TSCONFIG))

    assert result.returncode == 0, f"tsc -p {TSCONFIG.relative_to(ROOT)} failed:\n{result.stdout}{result.stderr}"


def test_node_tests_of_the_generated_sdk_pass_against_the_live_app(
    generated_sdks: GeneratedSdks, live_server: str
) -> None:
    env = {**os.environ, "API_BASE_URL": live_server, "NO_COLOR": "1"}

    result = run(node(), "--import", "tsx", "--test", "--test-reporter=tap", str(NODE_TEST), env=env)

    output = f"node --test exited with {result.returncode}:\n{result.stdout}{result.stderr}"
    assert result.returncode == 0, output
    counts = {name: int(count) for name, count in re.findall(r"^# (tests|pass|fail) (\d+)$", result.stdout, re.M)}
    assert counts.get("fail") == 0, output
    assert counts.get("tests", 0) >= 8, output  # one per behaviour in the file; none silently skipped
    assert counts.get("pass") == counts["tests"], output
