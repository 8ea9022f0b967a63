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

from bench.config import REPO_ROOT, BenchConfig
from bench.scenarios import API, SCENARIOS

SMALL, LARGE = 1_000, 100_000
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
    ("cold_start_s", "python -m api (embedded DB) to GET /readyz 200, s", "<", 1.5),
)
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}


def label(size: int) -> str:
    """1000 -> '1k', 100000 -> '100k', 50 -> '50'."""
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


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


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _ratio_cell(results: dict[str, Any], size: str, name: str) -> str:
    value = results["ratios_by_size"][size].get(name)
    if value is not None:
        return _number(value, 3)
    peer, _, scenario = name.partition("_")
    services = results["sizes"][str(_size_of(results, size))]["scenarios"].get(
        f"seed_{scenario}" if peer == "seed" else scenario, {}
    )
    if services.get(peer, {}).get("requests") == 0 and services.get(API, {}).get("requests"):
        return f"∞ ({peer} finished no request in a run)"
    return "—"


def _size_of(results: dict[str, Any], size_label: str) -> int:
    return next(int(size) for size in results["sizes"] if label(int(size)) == size_label)


def _ratio_table(results: dict[str, Any]) -> list[str]:
    """Every ratio at every measured size (the headline takes the smallest)."""
    sizes = list(results.get("ratios_by_size", {}))
    if not sizes:
        return []
    names = sorted({name for ratios in results["ratios_by_size"].values() for name in ratios})
    lines = ["", "## Ratios by size", "", "| ratio | " + " | ".join(sizes) + " |", "|---|" + "---:|" * len(sizes)]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(_ratio_cell(results, size, name) for size in sizes) + " |")
    return lines


def markdown(results: dict[str, Any]) -> str:
    """The results as a markdown report: targets, then every measurement."""
    config, env = results["config"], results["environment"]
    lines = [
        f"# Benchmark {'(BENCH_QUICK) ' if config['quick'] else ''}{results['generated_at']}",
        "",
        f"{results['method']} Commit {env['commit']}, Python {env['python']}, mongoeco {env['mongoeco']}, "
        f"{env['cpus']} CPUs, load average {env['load_average']}, {env['wrk']}. Took {results['duration_s']} s. "
        f"The load generator (wrk) used at most {results.get('loadgen_max_cpu_pct')} % of a core in any run.",
        "",
        "## Targets",
        "",
        "| target | meaning | goal | value | met |",
        "|---|---|---|---|---|",
    ]
    for target in results["targets"]:
        met = {True: "yes", False: "**no**", None: "not measured"}[target["met"]]
        value = _number(target["value"], 3)
        lines.append(f"| {target['name']} | {target['meaning']} | {target['goal']} | {value} | {met} |")
    lines += _ratio_table(results)
    lines += ["", "## Measurements", ""]
    lines += ["| contacts | scenario | service | req/s | p50 ms | p99 ms | errors | CPU % of a core |"]
    lines += ["|---:|---|---|---:|---:|---:|---:|---|"]
    titles = {scenario.key: scenario.title for scenario in SCENARIOS}
    for size, entry in results["sizes"].items():
        if entry["status"] != "measured":
            lines.append(f"| {size} | *skipped: {entry['reason']}* | | | | | | |")
            continue
        for key, services in entry["scenarios"].items():
            for service, numbers in services.items():
                cpu = ", ".join(f"{name} {pct:.0f}" for name, pct in numbers["cpu_pct"].items())
                lines.append(
                    f"| {size} | {titles[key]} | {service} | {_number(numbers['rps'], 1)} | "
                    f"{_number(numbers['p50_ms'])} | {_number(numbers['p99_ms'])} | {numbers['errors']} | {cpu} |"
                )
    lines += ["", "## Per size", "", "| contacts | stored | load s | deep page after | API RSS MB | API peak RSS MB |"]
    lines += ["|---:|---:|---:|---:|---:|---:|"]
    for size, entry in results["sizes"].items():
        if entry["status"] == "measured":
            memory = entry["api_memory"]
            lines.append(
                f"| {size} | {entry['contacts']} | {entry['load_s']} | {entry['deep_pages']} pages | "
                f"{memory.get('rss_mb')} | {memory.get('peak_rss_mb')} |"
            )
    lines += ["", f"Cold start to ready (s): {results['cold_start']['runs_s']}", ""]
    limits = [(size, entry["limit"]) for size, entry in results["sizes"].items() if "limit" in entry]
    if limits:
        lines += ["## The storage engine's limit (SQLite straight, one process; bench/limit.py)", ""]
        lines += [
            "| contacts | inserts/s | gets/s | pages of 20/s | pages served by the index |",
            "|---:|---:|---:|---:|---|",
        ]
        for size, numbers in limits:
            lines.append(
                f"| {size} | {_number(numbers['create'], 0)} | {_number(numbers['get'], 0)} | "
                f"{_number(numbers['list'], 0)} | {'yes' if numbers['pages_use_index'] else '**no**'} |"
            )
        lines.append("")
    lines += _files_tables(results)
    skipped = [
        (size, peer, why) for size, e in results["sizes"].items() for peer, why in e.get("skipped_peers", {}).items()
    ]
    if skipped:
        lines += ["Not compared: " + "; ".join(f"{peer} at {size}: {why}" for size, peer, why in skipped), ""]
    return "\n".join(lines)


def _memory(run: dict[str, Any]) -> str:
    return f"{run['rss_before_mb']} → {run['rss_peak_mb']} (+{run['rss_growth_mb']})"


def _files_tables(results: dict[str, Any]) -> list[str]:
    """Exports, imports and the sync poll, at the sizes they were measured at (bench/interchange.py, sync.py)."""
    measured = [(size, entry) for size, entry in results["sizes"].items() if "sync" in entry]
    failed = [f"- {size}: {entry['files_error']}" for size, entry in results["sizes"].items() if "files_error" in entry]
    if not measured and not failed:
        return []
    lines = ["## Files and sync (bench/interchange.py, bench/sync.py)", ""]
    if failed:
        lines += ["Failed (a request that should have succeeded did not):", "", *failed, ""]
    if not measured:
        return lines
    lines += [
        "| contacts | file | export contacts/s | export s | file MB | API RSS MB during export | import rows | "
        "import contacts/s | import s | created / updated / unchanged / failed | importing API RSS MB |",
        "|---:|---|---:|---:|---:|---|---:|---:|---:|---|---|",
    ]
    for size, entry in measured:
        for file_format, exported in entry["export"].items():
            done = entry["import"].get(file_format)
            imported = ["—"] * 5
            if done is not None:
                outcomes = " / ".join(str(done[outcome]) for outcome in ("created", "updated", "unchanged", "failed"))
                imported = [str(done["rows"]), _number(done["per_s"], 0), _number(done["seconds"]), outcomes]
                imported.append(_memory(done))
            lines.append(
                f"| {size} | {file_format} | {_number(exported['per_s'], 0)} | {_number(exported['seconds'])} | "
                f"{_number(exported['file_mb'], 1)} | {_memory(exported)} | " + " | ".join(imported) + " |"
            )
    lines += [
        "",
        "| contacts | full sync s | full sync requests | contacts in it | changes made | poll ms (median) | "
        "poll requests | changed in poll | poll ÷ full |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, entry in measured:
        synced = entry["sync"]
        full, poll = synced["full"], synced["poll"]
        lines.append(
            f"| {size} | {_number(full['seconds'])} | {full['requests']} | {full['changed']} | "
            f"{synced['changes_made']} | {_number(poll['seconds'] * 1000)} | {poll['requests']} | {poll['changed']} | "
            f"{_number(synced['poll_vs_full'], 5)} |"
        )
    lines += [
        "",
        "RSS MB: before → sampled peak (growth), every 10 ms. An import runs in a fresh API process with its own "
        "fresh embedded database; an export in the API under test. The poll waits until the feed has settled past "
        "the changes (2 x DB_TIMEOUT, bench/sync.py).",
        "",
    ]
    return lines


def write(results: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write latest.json and latest.md into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "latest.json", out_dir / "latest.md"
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    md_path.write_text(markdown(results))
    return json_path, md_path
