"""The command line: `python -m api openapi` prints the contract; the early launch guesses the settings' file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.__main__ import launch_early
from api.settings import Settings
from tests.paths import REPO_ROOT


@pytest.mark.slow
def test_openapi_prints_the_committed_contract() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "api", "openapi"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )

    assert printed.stdout == (REPO_ROOT / "openapi" / "openapi.yaml").read_text()


@pytest.mark.slow
def test_an_unknown_command_is_a_usage_error() -> None:
    run = subprocess.run([sys.executable, "-m", "api", "frobnicate"], cwd=REPO_ROOT, capture_output=True, text=True)

    assert run.returncode == 2
    assert "invalid choice" in run.stderr


@pytest.mark.parametrize("data_dir", [None, "elsewhere"])
def test_the_early_launch_opens_the_file_the_settings_will_want(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data_dir: str | None
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONGODB_URL", raising=False)
    if data_dir is None:
        monkeypatch.delenv("DATA_DIR", raising=False)
    else:
        monkeypatch.setenv("DATA_DIR", data_dir)

    early = launch_early()
    try:
        assert early is not None
        assert early.path == Settings().embedded_db_path
    finally:
        assert early is not None
        early.stop()


def test_no_early_launch_when_a_mongodb_url_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URL", os.environ.get("TEST_MONGODB_URL", "mongodb://127.0.0.1:27017"))

    assert launch_early() is None
