"""latest.md: the results as a markdown report (targets, ratios by size, every measurement, files and sync)."""

from typing import Any

from bench.config import label
from bench.scenarios import API, SCENARIOS


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
        "| contacts | first duplicate scan (full), s | after a change, s | nothing changed, s | groups on page 1 | "
        "merges | merge p50 ms | p90 ms | slowest ms | webhook events (creates/s) | lag p50 ms | lag p99 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, entry in measured:
        if "duplicates" in entry:
            scanned, merged, hooked = entry["duplicates"], entry["merge"], entry.get("webhooks")
            lag = ["—"] * 3
            if hooked is not None:
                lag = [f"{hooked['events']} ({_number(hooked['creates_per_s'], 0)})", _number(hooked["p50_ms"], 0)]
                lag.append(_number(hooked["p99_ms"], 0))
            lines.append(
                f"| {size} | {_number(scanned['full_seconds'])} | {_number(scanned['after_change_seconds'], 3)} | "
                f"{_number(scanned['kept_seconds'], 3)} | "
                f"{scanned['groups_first_page']} | {merged['merges']} | {_number(merged['p50_ms'], 1)} | "
                f"{_number(merged['p90_ms'], 1)} | {_number(merged['max_ms'], 1)} | " + " | ".join(lag) + " |"
            )
    lines += [
        "",
        "RSS MB: before → sampled peak (growth), every 10 ms. An import runs in a fresh API process with its own "
        "fresh embedded database; an export in the API under test. The poll waits until the feed has settled past "
        "the changes (2 x DB_TIMEOUT, bench/sync.py).",
        "",
    ]
    return lines
