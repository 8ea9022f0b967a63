"""From raw measurements to results: ratios, targets met or not, latest.json and latest.md."""

import json
import os
import platform
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.config import REPO_ROOT, BenchConfig, label
from bench.markdown import markdown
from bench.scenarios import API, SCENARIOS

SMALL, LARGE = 1_000, 100_000
SMALL_FILES = 10_000  # the smallest size the files, sync and domain phases run at by default
SEED_RATIOS = ("seed_list", "seed_create")
DRIVER_RATIOS = ("driver_get", "driver_list", "driver_create", "driver_page_deep")
EVE_RATIOS = ("eve_list", "eve_page_deep", "eve_get", "eve_create")
LIMIT_RATIOS = ("limit_get", "limit_list", "limit_create")  # ours ÷ SQLite (limit.py), per operation
_SMALLEST = "smallest over the sizes compared"
# Flat: a page of 100 contacts in memory at a time. A 100k export built in memory would hold its ~24 MB of text
# and far more in contact objects.
EXPORT_RSS_GROWTH_MB = 20.0
# name, what it means, comparison, threshold
TARGETS: tuple[tuple[str, str, str, float], ...] = (
    ("seed_list", f"GET / req/s, ours ÷ seed ({_SMALLEST})", ">=", 1.0),
    ("seed_create", f"POST /new req/s, ours ÷ seed ({_SMALLEST})", ">=", 1.0),
    ("eve_list", f"list page 1 req/s, ours ÷ Eve ({_SMALLEST})", ">=", 1.0),
    ("eve_page_deep", f"deep page req/s, ours ÷ Eve ({_SMALLEST})", ">=", 1.0),
    ("eve_get", f"get by id req/s, ours ÷ Eve ({_SMALLEST})", ">=", 1.0),
    ("eve_create", f"create req/s, ours ÷ Eve ({_SMALLEST})", ">=", 1.0),
    ("driver_get", f"GET /contacts/{{id}} req/s, ours ÷ raw driver ({_SMALLEST})", ">=", 0.9),
    ("driver_list", f"GET /contacts req/s, ours ÷ raw driver ({_SMALLEST})", ">=", 0.9),
    ("driver_create", f"POST /contacts req/s, ours ÷ raw driver ({_SMALLEST})", ">=", 0.9),
    ("driver_page_deep", f"deep page req/s, ours ÷ raw driver ({_SMALLEST})", ">=", 0.9),
    ("limit_get", f"get req/s ÷ SQLite point reads/s ({_SMALLEST}; 2x the 0.01 measured before)", ">=", 0.02),
    ("limit_list", f"page 1 req/s ÷ SQLite pages/s ({_SMALLEST}; 2x the 0.02 measured before)", ">=", 0.04),
    ("limit_create", f"create req/s ÷ SQLite inserts/s ({_SMALLEST}; 2x the 0.06 measured before)", ">=", 0.12),
    ("create_100k_vs_1k", "POST /contacts p50 latency, 100k ÷ 1k", "<=", 1.5),
    ("page_deep_100k_vs_1k", "deep page p50 latency, 100k ÷ 1k", "<=", 1.5),
    ("rss_mb_100k", "API process RSS at 100k contacts, MB", "<", 150.0),
    ("import_per_s", "contacts/s imported from a vCard and a CSV file (smallest over files and sizes)", ">=", 500.0),
    ("export_per_s", "contacts/s of GET /contacts/export, vcf and csv (smallest over files and sizes)", ">=", 2e3),
    ("export_rss_growth_mb", "API RSS growth during an export, MB (largest; flat memory)", "<", EXPORT_RSS_GROWTH_MB),
    ("sync_poll_vs_full_100k", "sync poll after 10 changes ÷ full sync, seconds, at 100k", "<", 0.01),
    ("duplicates_scan_s_10k", "first GET /contacts/duplicates (a full scan) at 10k contacts, s", "<", 2.0),
    ("duplicates_scan_s_100k", "first GET /contacts/duplicates (a full scan) at 100k contacts, s", "<", 20.0),
    ("cold_start_s", "python -m api (embedded DB) to GET /readyz 200, s", "<", 1.5),
)
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}


def _measured(raw: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(size): entry for size, entry in raw["sizes"].items() if entry["status"] == "measured"}


def _metric(entry: dict[str, Any], scenario: str, service: str, name: str) -> float | None:
    value = entry["scenarios"].get(scenario, {}).get(service, {}).get(name)
    return float(value) if value else None


def _divide(top: float | None, bottom: float | None) -> float | None:
    return round(top / bottom, 3) if top is not None and bottom else None


def ratios_by_size(raw: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """Per measured size: ours ÷ each other service in req/s for every scenario, and ours ÷ the SQLite limit."""
    by_size = {}
    for size, entry in _measured(raw).items():
        ratios = {}
        for scenario in SCENARIOS:
            ours = _metric(entry, scenario.key, API, "rps")
            for other in scenario.services[1:]:
                name = f"{other}_{scenario.key.removeprefix('seed_')}"
                ratios[name] = _divide(ours, _metric(entry, scenario.key, other, "rps"))
        for name in LIMIT_RATIOS:
            operation = name.removeprefix("limit_")
            ratios[name] = _divide(_metric(entry, operation, API, "rps"), entry.get("limit", {}).get(operation))
        if "sync" in entry:
            ratios["sync_poll_vs_full"] = entry["sync"]["poll_vs_full"]
        by_size[label(size)] = ratios
    return by_size


def ratios(raw: dict[str, Any]) -> dict[str, float | None]:
    """The headline ratios; None where the sizes they need were not measured."""
    measured = _measured(raw)
    per_size = ratios_by_size(raw)
    result: dict[str, float | None] = {}
    for name in (*SEED_RATIOS, *EVE_RATIOS, *DRIVER_RATIOS, *LIMIT_RATIOS):
        values = [value for ratios in per_size.values() if (value := ratios.get(name)) is not None]
        result[name] = min(values) if values else None
    smallest = min(measured) if measured else None
    for size in sorted(measured):
        if smallest is not None and size > smallest:
            for scenario in ("create", "page_deep"):
                result[f"{scenario}_{label(size)}_vs_{label(smallest)}"] = _divide(
                    _metric(measured[size], scenario, API, "p50_ms"),
                    _metric(measured[smallest], scenario, API, "p50_ms"),
                )
    for scenario in ("create", "page_deep"):
        key = f"{scenario}_{label(LARGE)}_vs_{label(SMALL)}"
        if SMALL in measured and LARGE in measured:
            result[key] = _divide(
                _metric(measured[LARGE], scenario, API, "p50_ms"), _metric(measured[SMALL], scenario, API, "p50_ms")
            )
        else:
            result[key] = None
    result["rss_mb_100k"] = measured[LARGE]["api_memory"]["rss_mb"] if LARGE in measured else None
    result |= file_figures(measured)
    large = measured.get(LARGE, {})
    result["sync_poll_vs_full_100k"] = large["sync"]["poll_vs_full"] if "sync" in large else None
    for size in (SMALL_FILES, LARGE):
        scanned = measured.get(size, {}).get("duplicates")
        result[f"duplicates_scan_s_{label(size)}"] = scanned["full_seconds"] if scanned else None
    result["cold_start_s"] = raw["cold_start"]["median_s"]
    return result


def file_figures(measured: dict[int, dict[str, Any]]) -> dict[str, float | None]:
    """The slowest import and export (contacts/s) and the largest RSS growth of an export, over files and sizes."""
    runs = {
        kind: [run for entry in measured.values() for run in entry.get(kind, {}).values()]
        for kind in ("import", "export")
    }
    imported = [run["per_s"] for run in runs["import"] if run["per_s"] is not None]
    exported = [run["per_s"] for run in runs["export"] if run["per_s"] is not None]
    growth = [run["rss_growth_mb"] for run in runs["export"]]
    return {
        "import_per_s": min(imported) if imported else None,
        "export_per_s": min(exported) if exported else None,
        "export_rss_growth_mb": max(growth) if growth else None,
    }


def targets(headline: dict[str, float | None]) -> list[dict[str, Any]]:
    """Each target with its value and whether it is met (None: not measured in this run)."""
    rows = []
    for name, meaning, op, threshold in TARGETS:
        value = headline.get(name)
        met = None if value is None else _COMPARE[op](value, threshold)
        rows.append({"name": name, "meaning": meaning, "goal": f"{op} {threshold:g}", "value": value, "met": met})
    return rows


def _first_line(*command: str) -> str | None:
    executable = shutil.which(command[0])
    if executable is None:
        return None
    done = subprocess.run([executable, *command[1:]], cwd=REPO_ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    lines = (done.stdout or done.stderr).splitlines()
    return lines[0].strip() if lines else None


def _environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "mongoeco": version("mongoeco"),
        "pymongo": version("pymongo"),
        "wrk": _first_line("wrk", "-v"),
        "commit": _first_line("git", "rev-parse", "--short", "HEAD"),
    }


def _loadgen_max(raw: dict[str, Any]) -> float | None:
    """The most CPU wrk used in any run (% of one core): far below 100 shows it was not the bottleneck."""
    shares = [
        run["cpu_pct"]["loadgen"]
        for entry in _measured(raw).values()
        for services in entry["scenarios"].values()
        for numbers in services.values()
        for run in numbers["rounds"]
        if "loadgen" in run["cpu_pct"]
    ]
    return max(shares) if shares else None


def build(config: BenchConfig, raw: dict[str, Any]) -> dict[str, Any]:
    """The complete results document (what latest.json holds)."""
    headline = ratios(raw)
    settings = {key: str(value) if isinstance(value, Path) else value for key, value in asdict(config).items()}
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": settings,
        "environment": _environment(),
        "method": (
            f"wrk, 1 thread, {config.concurrency} connections (the raw driver: {config.concurrency} asyncio tasks); "
            f"{config.rounds} round(s) of {config.seconds} s per service and scenario, services alternating; "
            "req/s = all requests ÷ all time; p50/p99 = median over rounds; cpu_pct = % of one core."
        ),
        "ratios": headline,
        "ratios_by_size": ratios_by_size(raw),
        "targets": targets(headline),
        "loadgen_max_cpu_pct": _loadgen_max(raw),
        "cold_start": raw["cold_start"],
        "sizes": raw["sizes"],
        "duration_s": raw.get("duration_s"),
    }


def write(results: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write latest.json and latest.md into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "latest.json", out_dir / "latest.md"
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    md_path.write_text(markdown(results))
    return json_path, md_path
