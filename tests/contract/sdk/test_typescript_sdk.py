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
NODE_SYNC_TEST = Path(__file__).with_name("typescript_sdk_sync.test.ts")  # needs keys: a secured app
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


def run_node_tests(test_file: Path, env: dict[str, str], at_least: int) -> None:
    """Run one file of Node tests (its tests one after another); every one of them must pass."""
    result = run(node(), "--import", "tsx", "--test", "--test-reporter=tap", str(test_file), env=env)

    output = f"node --test {test_file.name} exited with {result.returncode}:\n{result.stdout}{result.stderr}"
    assert result.returncode == 0, output
    counts = {name: int(count) for name, count in re.findall(r"^# (tests|pass|fail) (\d+)$", result.stdout, re.M)}
    assert counts.get("fail") == 0, output
    assert counts.get("tests", 0) >= at_least, output  # one per behaviour in the file; none silently skipped
    assert counts.get("pass") == counts["tests"], output


def test_node_tests_of_the_generated_sdk_pass_against_the_live_app(
    generated_sdks: GeneratedSdks, live_server: str
) -> None:
    env = {**os.environ, "API_BASE_URL": live_server, "NO_COLOR": "1"}

    run_node_tests(NODE_TEST, env, at_least=13)


def test_node_tests_of_sync_history_trash_files_and_tenant_data_pass_against_a_keyed_app(
    generated_sdks: GeneratedSdks, secured_server: str, tenant_keys: dict[str, str]
) -> None:
    env = {
        **os.environ,
        "API_BASE_URL": secured_server,
        "API_TENANT": "acme",
        "API_KEY": tenant_keys["acme"],
        "OTHER_API_KEY": tenant_keys["globex"],
        "NO_COLOR": "1",
    }

    run_node_tests(NODE_SYNC_TEST, env, at_least=7)
