"""The harness's pure parts: configuration, the wrk script, the load budget, files, sync, ratios and targets."""

import socket
import subprocess
import sys
import time
from typing import Any, cast

import pytest
from pymongo.collection import Collection

from api.interchange.csv_format import read_csv
from api.interchange.vcard import read_vcards
from bench.config import QUICK, load_config, parse_sizes
from bench.data import LoadBudgetExceeded, Loader, contact_templates
from bench.interchange import RecordCounter, import_file, import_size
from bench.load import HttpRequest, RunResult, settle, summarize, wrk_script
from bench.markdown import markdown
from bench.report import ratios, ratios_by_size, targets
from bench.services import PORTS_FROM, _ephemeral_ports_from, free_port
from bench.sync import FeedRead, summary


def test_sizes_accept_k_suffixes_and_sort() -> None:
    assert parse_sizes("100k, 1k,10000,1k") == (1_000, 10_000, 100_000)
    with pytest.raises(ValueError, match="positive"):
        parse_sizes("0")


def test_quick_then_environment_then_flags() -> None:
    assert load_config([], {}).sizes == (1_000, 10_000, 100_000)
    quick = load_config([], {"BENCH_QUICK": "1"})
    assert (quick.quick, quick.sizes, quick.seconds) == (True, QUICK["sizes"], QUICK["seconds"])
    tuned = load_config(["--seconds", "7"], {"BENCH_QUICK": "1", "BENCH_SIZES": "50", "BENCH_SECONDS": "3"})
    assert (tuned.sizes, tuned.seconds, tuned.rounds) == ((50,), 7, QUICK["rounds"])


def test_files_and_sync_are_measured_from_10k_on_unless_told_otherwise() -> None:
    assert load_config([], {}).files_sizes == (10_000, 100_000)
    assert load_config([], {"BENCH_QUICK": "1"}).files_sizes == (10_000,)
    assert load_config(["--sizes", "50", "--files-min-size", "1"], {}).files_sizes == (50,)
    assert import_size(250_000) == 100_000  # the API's row limit
    assert import_size(10_000, load_config([], {"BENCH_QUICK": "1"}).import_max_rows) == 2_000
    assert import_size(50, 2_000) == 50


def test_wrk_script_sends_each_path_in_turn_and_numbers_bodies() -> None:
    script = wrk_script(HttpRequest("POST", ["/a", "/b"], '{"name":"x{n}"}'))
    assert "[==[/a]==], [==[/b]==]" in script
    assert 'body:gsub("{n}", tostring(counter))' in script
    assert "BENCH_RESULT" in script


def test_rounds_combine_into_total_rate_and_median_latency() -> None:
    runs = [RunResult(100, 1.0, 5.0, 9.0), RunResult(300, 1.0, 1.0, 3.0), RunResult(200, 2.0, 2.0, 4.0)]
    summary = summarize(runs)
    assert summary["rps"] == 150.0
    assert (summary["p50_ms"], summary["p99_ms"]) == (2.0, 4.0)


class SlowCollection:
    def __init__(self, delay: float) -> None:
        self.delay, self.inserted = delay, 0

    def insert_many(self, documents: list[Any], ordered: bool = True) -> None:
        time.sleep(self.delay * len(documents))
        self.inserted += len(documents)


def test_a_size_that_cannot_load_in_its_budget_is_given_up_early() -> None:
    collection = SlowCollection(delay=0.001)
    loader = Loader(cast(Collection[Any], collection), lambda start, n: iter([{}] * n), "test", batch_size=100)
    loader.grow_to(100, time.monotonic() + 5)
    with pytest.raises(LoadBudgetExceeded, match="100 of 100000 loaded"):
        loader.grow_to(100_000, time.monotonic() + 5)  # 1 ms per document: 100 s needed
    assert collection.inserted == 100


def test_records_are_counted_when_a_chunk_splits_their_end() -> None:
    counter = RecordCounter(b"END:VCARD\r\n")
    for chunk in (b"BEGIN:VCARD\r\nEND:VC", b"ARD\r\nBEGIN:VCARD\r\nEND:VCARD\r", b"\n", b"END:VCARD\r\n"):
        counter.feed(chunk)
    assert counter.count == 3


@pytest.mark.parametrize(("file_format", "reader"), [("vcf", read_vcards), ("csv", read_csv)])
def test_import_files_hold_distinct_contacts_the_api_reads_back(file_format: str, reader: Any) -> None:
    body = import_file(file_format, 30, contact_templates(10))  # 10 templates: contacts 0, 10, 20 share one
    rows = list(reader(body.decode().splitlines(keepends=True)))
    assert [row.problem for row in rows] == [None] * 30
    assert [row.contact["external_id"] for row in rows] == [f"bench-{n}" for n in range(30)]
    assert rows[0].contact["name"] == rows[10].contact["name"]
    assert all("id_hint" not in row.contact for row in rows)  # no id of ours: another system's file


def test_a_sync_summary_takes_the_median_poll_and_divides_by_the_full_sync() -> None:
    full = FeedRead(2.0, 500, 100_000, 0, "t")
    polls = [FeedRead(seconds, 1, 10, 0, "u") for seconds in (0.004, 0.002, 0.003)]
    synced = summary(full, polls, 10)
    assert synced["poll"]["seconds"] == 0.003
    assert synced["poll"]["changed"] == 10
    assert synced["poll_vs_full"] == 0.0015
    assert synced["full"] == {"seconds": 2.0, "requests": 500, "changed": 100_000, "deleted": 0}


def _numbers(rps: float, p50: float) -> dict[str, Any]:
    return {"rps": rps, "p50_ms": p50, "p99_ms": p50 * 2, "errors": 0, "cpu_pct": {}}


def _size(api_rps: float, other_rps: float, p50: float, rss: float, sqlite: float = 1000.0) -> dict[str, Any]:
    others: dict[str, tuple[str, ...]] = {"seed_list": ("seed",), "seed_create": ("seed",)}
    others |= dict.fromkeys(("list", "get", "create", "page_deep"), ("driver", "eve"))
    scenarios = {
        key: {"api": _numbers(api_rps, p50)} | {other: _numbers(other_rps, p50) for other in services}
        for key, services in others.items()
    }
    return {
        "status": "measured",
        "contacts": 0,
        "load_s": 0,
        "deep_pages": 50,
        "api_memory": {"rss_mb": rss},
        "scenarios": scenarios,
        "limit": {"create": sqlite, "get": sqlite * 10, "list": sqlite, "pages_use_index": True},
    }


def _file_run(per_s: float, growth: float = 1.0) -> dict[str, Any]:
    memory = {"rss_before_mb": 80.0, "rss_peak_mb": 80.0 + growth, "rss_growth_mb": growth}
    outcomes = {"rows": 10, "created": 10, "updated": 0, "unchanged": 0, "failed": 0}
    return {"contacts": 10, "file_mb": 1.0, "seconds": 10 / per_s, "per_s": per_s, **outcomes, **memory}


def _with_files(entry: dict[str, Any], poll_s: float, full_s: float, per_s: float, growth: float) -> dict[str, Any]:
    """`entry` with its exports, imports (vcf at `per_s`, csv twice as fast) and a sync poll and full sync."""
    files = {"vcf": _file_run(per_s, growth), "csv": _file_run(per_s * 2)}
    feed = {"requests": 1, "changed": 10, "deleted": 0}
    synced = {
        "changes_made": 10,
        "full": feed | {"seconds": full_s, "requests": 500},
        "poll": feed | {"seconds": poll_s},
        "poll_vs_full": round(poll_s / full_s, 5),
    }
    scanned = {"full_seconds": full_s * 3, "after_change_seconds": 0.1, "kept_seconds": 0.01, "groups_first_page": 3}
    merged = {"merges": 30, "p50_ms": 20.0, "p90_ms": 30.0, "max_ms": 40.0}
    return entry | {"export": files, "import": files, "sync": synced, "duplicates": scanned, "merge": merged}


def test_ratios_take_the_worst_size_and_compare_100k_with_1k() -> None:
    raw = {
        "sizes": {
            "1000": _size(200, 100, 2.0, 80),
            "10000": _with_files(_size(200, 100, 2.0, 80), poll_s=0.01, full_s=0.5, per_s=3000, growth=30),
            "100000": _with_files(_size(90, 100, 4.0, 120, sqlite=500), poll_s=0.02, full_s=5.0, per_s=600, growth=2),
        },
        "cold_start": {"median_s": 1.4},
    }
    headline = ratios(raw)
    assert headline["seed_list"] == 0.9  # 100k is worse than 1k: the smaller is reported
    assert headline["driver_get"] == 0.9
    assert headline["eve_page_deep"] == 0.9
    assert headline["limit_create"] == 0.18  # 90 / 500 at 100k; 200 / 1000 at 1k
    assert headline["limit_get"] == 0.018
    assert headline["create_100k_vs_1k"] == 2.0
    assert headline["page_deep_100k_vs_1k"] == 2.0
    assert headline["rss_mb_100k"] == 120
    assert headline["import_per_s"] == 600  # the slowest file at the slowest size
    assert headline["export_per_s"] == 600
    assert headline["export_rss_growth_mb"] == 30  # the largest growth
    assert headline["sync_poll_vs_full_100k"] == 0.004
    assert ratios_by_size(raw)["10k"]["sync_poll_vs_full"] == 0.02
    assert (headline["duplicates_scan_s_10k"], headline["duplicates_scan_s_100k"]) == (1.5, 15.0)
    met = {target["name"]: target["met"] for target in targets(headline)}
    assert met == {
        "seed_list": False,
        "seed_create": False,
        "eve_list": False,
        "eve_page_deep": False,
        "eve_get": False,
        "eve_create": False,
        "driver_get": True,
        "driver_list": True,
        "driver_create": True,
        "driver_page_deep": True,
        "limit_get": False,
        "limit_list": True,
        "limit_create": True,
        "create_100k_vs_1k": False,
        "page_deep_100k_vs_1k": False,
        "rss_mb_100k": True,
        "import_per_s": True,
        "export_per_s": False,
        "export_rss_growth_mb": False,
        "sync_poll_vs_full_100k": True,
        "duplicates_scan_s_10k": True,
        "duplicates_scan_s_100k": True,
        "cold_start_s": True,
    }


def test_unmeasured_sizes_leave_ratios_empty_and_targets_unjudged() -> None:
    raw = {"sizes": {"50": _size(1, 1, 1.0, 50)}, "cold_start": {"median_s": None}}
    headline = ratios(raw)
    assert headline["create_100k_vs_1k"] is None
    assert headline["rss_mb_100k"] is None
    assert headline["import_per_s"] is headline["export_per_s"] is headline["sync_poll_vs_full_100k"] is None
    assert all(target["met"] is None for target in targets(headline) if target["value"] is None)


def _results(raw: dict[str, Any]) -> dict[str, Any]:
    """What report.build makes of `raw`, without the machine's environment."""
    environment = {"commit": "abc", "python": "3.13", "mongoeco": "4.11", "cpus": 2, "load_average": [1], "wrk": "wrk"}
    return {
        "config": {"quick": False},
        "environment": environment,
        "generated_at": "now",
        "method": "m.",
        "duration_s": 1,
        "targets": targets(ratios(raw)),
        "ratios_by_size": ratios_by_size(raw),
        "sizes": raw["sizes"],
        "cold_start": raw["cold_start"],
    }


def test_markdown_shows_skipped_sizes_with_their_reason() -> None:
    raw = {
        "sizes": {"100000": {"status": "skipped", "reason": "too slow"}},
        "cold_start": {"median_s": None, "runs_s": []},
    }
    results = _results(raw)
    assert "*skipped: too slow*" in markdown(results)


@pytest.mark.slow
def test_settle_waits_while_a_watched_process_is_busy_and_not_once_it_is_idle() -> None:
    busy = subprocess.Popen(
        [sys.executable, "-c", "import time\nend = time.time() + 1.5\nwhile time.time() < end: pass"]
    )
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        waited_for_busy = settle([busy.pid, idle.pid], timeout=20)
        waited_for_idle = settle([idle.pid], timeout=20)
    finally:
        busy.kill()
        idle.kill()
        busy.wait()
        idle.wait()
    assert waited_for_busy >= 0.75
    assert waited_for_idle < waited_for_busy


def test_a_peer_that_finished_nothing_shows_as_unbounded_not_as_missing() -> None:
    stalled = _size(30, 10, 1.0, 50)
    stalled["scenarios"]["list"]["eve"] |= {"rps": 0.0, "requests": 0}
    stalled["scenarios"]["list"]["api"]["requests"] = 150
    raw = {"sizes": {"10000": stalled}, "cold_start": {"median_s": 1.0, "runs_s": [1.0]}}
    results = _results(raw)

    assert results["ratios_by_size"]["10k"]["eve_list"] is None
    assert "| eve_list | ∞ (eve finished no request in a run) |" in markdown(results)
    assert "| eve_get | 3.000 |" in markdown(results)


def test_markdown_shows_files_and_sync_where_they_were_measured() -> None:
    raw = {
        "sizes": {
            "1000": _size(1, 1, 1.0, 50),
            "10000": _with_files(_size(1, 1, 1.0, 50), poll_s=0.004, full_s=0.8, per_s=1000, growth=1.5),
        },
        "cold_start": {"median_s": 1.0, "runs_s": [1.0]},
    }
    report = markdown(_results(raw))
    assert "## Files and sync" in report
    assert "| 10000 | vcf | 1,000 | 0.01 | 1.0 | 80.0 → 81.5 (+1.5) | 10 | 1,000 | 0.01 | 10 / 0 / 0 / 0 |" in report
    assert "| 10000 | csv | 2,000 |" in report
    assert "| 10000 | 0.80 | 500 | 10 | 10 | 4.00 | 1 | 10 | 0.00500 |" in report
    assert "| 1000 | vcf |" not in report


def test_a_failed_files_run_is_reported_and_leaves_its_targets_unjudged() -> None:
    failed = _size(1, 1, 1.0, 50) | {"files_error": "GET /contacts/changes answered 503: slow"}
    raw = {"sizes": {"100000": failed}, "cold_start": {"median_s": 1.0, "runs_s": [1.0]}}
    results = _results(raw)
    assert "- 100000: GET /contacts/changes answered 503: slow" in markdown(results)
    assert ratios(raw)["sync_poll_vs_full_100k"] is None


def test_a_server_port_is_free_and_below_the_ports_the_kernel_lends_to_clients() -> None:
    ports = {free_port() for _ in range(20)}

    assert all(PORTS_FROM <= port < _ephemeral_ports_from() for port in ports)
    for port in ports:
        with socket.socket() as server:
            server.bind(("127.0.0.1", port))
