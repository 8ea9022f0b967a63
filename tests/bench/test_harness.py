"""The benchmark harness end to end on a tiny size: it runs, cleans up, and reports every number.

Correctness of the harness only: no timing is asserted (the machine may be busy).
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bench.config import DEFAULT_SEED_APP
from bench.report import EVE_RATIOS, LIMIT_RATIOS, TARGETS
from bench.scenarios import SCENARIOS, SEED
from tests.paths import REPO_ROOT

pytestmark = pytest.mark.slow

REQUIRED_RATIOS = {
    "seed_list",
    "seed_create",
    "eve_list",
    "eve_page_deep",
    "eve_get",
    "eve_create",
    "driver_get",
    "driver_list",
    "driver_create",
    "driver_page_deep",
    "limit_get",
    "limit_list",
    "limit_create",
    "create_100k_vs_1k",
    "page_deep_100k_vs_1k",
    "rss_mb_100k",
    "import_per_s",
    "export_per_s",
    "export_rss_growth_mb",
    "sync_poll_vs_full_100k",
    "cold_start_s",
}


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace") if entry.name.isdigit() else ""
        except OSError:
            continue
        if text in command:
            found.append(command.replace("\0", " "))
    return found


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float]:
    """Run `python -m bench` once on 50 contacts, one 1 s round, files and sync included.

    Returns the results folder, the temp folder and the seconds it took.
    """
    assert shutil.which("wrk") is not None, "wrk is not installed (apt-get install -y wrk; .ci/run does)"
    out, scratch = tmp_path_factory.mktemp("results"), tmp_path_factory.mktemp("scratch")
    env = {key: value for key, value in os.environ.items() if not key.startswith("BENCH_")}
    env["TMPDIR"] = str(scratch)  # every database file and temp folder of the run lives here
    command = [sys.executable, "-m", "bench", "--sizes", "50", "--seconds", "1", "--rounds", "1"]
    command += ["--concurrency", "4", "--cold-starts", "1", "--limit-seconds", "0.2", "--out", str(out)]
    command += ["--files-min-size", "1"]  # exports, imports and the sync poll too
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out, scratch, time.monotonic() - started


@pytest.fixture(scope="module")
def results(bench_run: tuple[Path, Path, float]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((bench_run[0] / "latest.json").read_text())
    return loaded


def test_every_scenario_produced_numbers(results: dict[str, Any]) -> None:
    measured = results["sizes"]["50"]
    assert measured["status"] == "measured"
    seed_compared = DEFAULT_SEED_APP.exists()
    for scenario in SCENARIOS:
        if SEED in scenario.services and not seed_compared:
            continue  # without ../shared there is no seed service, and its scenarios are skipped whole
        for service in scenario.services:
            numbers = measured["scenarios"][scenario.key][service]
            assert numbers["requests"] > 0, (scenario.key, service)
            assert numbers["rps"] > 0
            assert 0 < numbers["p50_ms"] <= numbers["p99_ms"]
            assert numbers["errors"] == 0, (scenario.key, service, numbers)
            assert len(numbers["rounds"]) == 1
    assert measured["api_memory"]["rss_mb"] > 0
    assert measured["deep_pages"] == 2  # 50 contacts: the deepest full page is the third
    assert measured["skipped_peers"] == ({} if seed_compared else {SEED: measured["skipped_peers"][SEED]})


def test_the_sqlite_limit_is_measured_on_the_same_documents(results: dict[str, Any]) -> None:
    limit = results["sizes"]["50"]["limit"]
    assert limit["create"] > 0
    assert limit["get"] > 0
    assert limit["list"] > 0
    assert limit["pages_use_index"] is True


def test_files_are_exported_and_imported_whole(results: dict[str, Any]) -> None:
    measured = results["sizes"]["50"]
    for file_format in ("vcf", "csv"):
        exported, imported = measured["export"][file_format], measured["import"][file_format]
        assert exported["contacts"] == measured["contacts"], file_format
        assert exported["per_s"] > 0
        assert 0 < exported["rss_before_mb"] <= exported["rss_peak_mb"]
        assert (imported["rows"], imported["created"], imported["failed"]) == (50, 50, 0), imported
        assert 0 < imported["rss_before_mb"] <= imported["rss_peak_mb"]


def test_a_poll_brings_exactly_the_changes_made_after_the_full_sync(results: dict[str, Any]) -> None:
    synced = results["sizes"]["50"]["sync"]
    assert synced["full"]["changed"] == results["sizes"]["50"]["contacts"]
    assert synced["full"]["requests"] == 1
    assert synced["changes_made"] == 10
    assert (synced["poll"]["changed"], synced["poll"]["deleted"], synced["poll"]["requests"]) == (10, 0, 1)
    assert synced["poll_vs_full"] > 0


def test_the_duplicate_scan_and_merges_are_timed(results: dict[str, Any]) -> None:
    measured = results["sizes"]["50"]
    assert measured["duplicates"]["full_seconds"] > 0
    assert measured["duplicates"]["after_change_seconds"] > 0
    assert measured["duplicates"]["kept_seconds"] > 0
    assert measured["merge"]["merges"] == 30
    assert 0 < measured["merge"]["p50_ms"] <= measured["merge"]["p90_ms"] <= measured["merge"]["max_ms"]
    hooked = measured["webhooks"]
    assert hooked["delivered"] == hooked["events"] > 0
    assert 0 < hooked["p50_ms"] <= hooked["p99_ms"] <= hooked["max_ms"]


def test_ratios_and_targets_are_all_reported(results: dict[str, Any]) -> None:
    assert set(results["ratios"]) >= REQUIRED_RATIOS
    files = ("import_per_s", "export_per_s", "export_rss_growth_mb")
    for name in ("driver_get", "driver_list", "driver_create", "driver_page_deep", *LIMIT_RATIOS, *EVE_RATIOS):
        assert results["ratios"][name] > 0, name
    if DEFAULT_SEED_APP.exists():
        assert results["ratios"]["seed_list"] > 0
        assert results["ratios"]["seed_create"] > 0
    assert all(results["ratios"][name] is not None for name in files)
    assert results["ratios"]["create_100k_vs_1k"] is None  # those sizes were not run
    assert results["ratios"]["sync_poll_vs_full_100k"] is None
    assert results["ratios"]["duplicates_scan_s_100k"] is None
    assert results["ratios_by_size"]["50"]["sync_poll_vs_full"] > 0
    assert [target["name"] for target in results["targets"]] == [name for name, *_ in TARGETS]
    assert results["cold_start"]["median_s"] > 0


def test_markdown_and_plot_are_written(bench_run: tuple[Path, Path, float], results: dict[str, Any]) -> None:
    out = bench_run[0]
    markdown = (out / "latest.md").read_text()
    assert "## Targets" in markdown
    assert "| 50 | GET /contacts/{id} | driver |" in markdown
    assert "| 50 | GET /contacts/{id} | eve |" in markdown
    assert "## The storage engine's limit" in markdown
    assert "## Files and sync" in markdown
    assert "| 50 | vcf |" in markdown
    assert (out / "latest.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_no_process_outlives_the_run(bench_run: tuple[Path, Path, float]) -> None:
    assert processes_mentioning(str(bench_run[1])) == []
