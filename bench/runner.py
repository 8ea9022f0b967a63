"""One benchmark run: start everything once, then load, warm up and measure size after size.

One embedded database server holds every collection; the seed service, this API (one worker
each) and the in-process raw driver all talk to it. Within a size, each round runs every
scenario on both of its services, in alternating order, to spread machine noise evenly.
"""

import asyncio
import contextlib
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import uvloop
from pymongo import MongoClient

from api.database import connect
from api.serve import redact_url
from bench import data
from bench.client import call, get_json
from bench.config import REPO_ROOT, BenchConfig
from bench.load import RunResult, run_operations, run_wrk, settle, summarize
from bench.progress import say
from bench.scenarios import API, DRIVER, PAGE, SCENARIOS, SEED, Context, Scenario, page_query, walk_to_deep_page
from bench.services import (
    Service,
    api_service,
    ensure_seed_venv,
    find_pid,
    process_memory_mb,
    seed_service,
    wrk_path,
)
from embedded import EmbeddedDatabase

API_DB = "bench_contacts"
SEED_DB = "mydatabase"  # what seed_app.py reads and writes
LOG_DIR = REPO_ROOT / "build" / "bench" / "logs"
SAMPLE_IDS = 1_000


def measure_cold_starts(config: BenchConfig, workdir: Path) -> dict[str, Any]:
    """Seconds from spawning `python -m api` (embedded database, empty data dir) to GET /readyz = 200."""
    runs = []
    for attempt in range(config.cold_starts):
        service = api_service(LOG_DIR / f"cold-start-{attempt}.log", None, "bench_cold", workdir / f"cold-{attempt}")
        with service:
            runs.append(round(service.wait_ready("/readyz"), 3))
        say(f"cold start {attempt + 1}/{config.cold_starts}: {runs[-1]:.2f} s to ready")
    return {"runs_s": runs, "median_s": sorted(runs)[len(runs) // 2] if runs else None}


class Bench:
    """The running services and collections, and the measurements of each size."""

    def __init__(self, config: BenchConfig, uri: str, db_pid: int, api: Service, seed: Service | None) -> None:
        self.config, self.uri, self.api, self.seed = config, uri, api, seed
        self.db_pid = db_pid
        self.client: MongoClient[data.Document] = MongoClient(uri, tz_aware=True)
        self.api_contacts = self.client[API_DB]["contacts"]
        self.seed_contacts = self.client[SEED_DB]["contacts"]
        templates = data.contact_templates()
        self.api_loader = data.Loader(
            self.api_contacts, lambda start, n: data.api_documents(start, n, templates), "api", config.batch_size
        )
        self.seed_loader = data.Loader(self.seed_contacts, data.seed_documents, "seed", config.batch_size)
        self.seed_too_slow: str | None = None  # once the seed's data cannot keep up, larger sizes skip it too

    def close(self) -> None:
        """Close the harness's own database client."""
        self.client.close()

    def measure(self, size: int) -> dict[str, Any]:
        """Load `size` contacts, then run every scenario's rounds; raises data.LoadBudgetExceeded."""
        load_s, seed_skipped = self._load(size)
        time.sleep(1.1)  # the create scenarios delete ids from the next second on: keep loaded ones out of it
        context = self._context(size)
        scenarios = [s for s in SCENARIOS if seed_skipped is None or SEED not in s.services]
        self._warm_up(scenarios, context)
        say(f"  loaded in {load_s:.1f} s; deep page after {context.deep_pages} pages; warmed up")
        runs = self._rounds(size, scenarios, context)
        measured: dict[str, dict[str, Any]] = {}
        for (key, service), results in runs.items():
            measured.setdefault(key, {})[service] = summarize(results)
        skipped = {s.key: seed_skipped for s in SCENARIOS if SEED in s.services} if seed_skipped else {}
        return {
            "status": "measured",
            "contacts": self.api_contacts.estimated_document_count(),
            "load_s": round(load_s, 1),
            "deep_pages": context.deep_pages,
            "api_memory": process_memory_mb(self.api.pid),
            "scenarios": measured,
            "skipped_scenarios": skipped,
        }

    def _load(self, size: int) -> tuple[float, str | None]:
        """Grow the API's collection (else the size is skipped), then the seed's (else only its comparison is).

        Returns the seconds spent and why the seed is not compared at this size (None: it is).
        """
        config = self.config
        say(f"== {size} contacts: loading (budget {config.load_budget:.0f} s)")
        deadline = time.monotonic() + config.load_budget
        load_s = self.api_loader.grow_to(size, deadline)
        if self.seed is None:
            return load_s, "the seed service is not available"
        if size not in config.seed_sizes:
            return load_s, f"compared up to {config.seed_max_size} contacts (its GET / reads the whole collection)"
        if self.seed_too_slow is not None:
            return load_s, self.seed_too_slow
        try:
            return load_s + self.seed_loader.grow_to(size, deadline), None
        except data.LoadBudgetExceeded as error:
            self.seed_too_slow = f"its data did not load within the {config.load_budget:.0f} s budget ({error})"
            say(f"  not comparing the seed from {size} on: {self.seed_too_slow}")
            return time.monotonic() - deadline + config.load_budget, self.seed_too_slow

    def _rounds(self, size: int, scenarios: list[Scenario], context: Context) -> dict[tuple[str, str], list[RunResult]]:
        """Every scenario on each of its services, round after round, in alternating order."""
        runs: dict[tuple[str, str], list[RunResult]] = {}
        for round_number in range(self.config.rounds):
            for scenario in scenarios:
                services = scenario.services if round_number % 2 == 0 else scenario.services[::-1]
                marker = data.marker_now()
                for service in services:
                    result = self._run(scenario, service, context)
                    runs.setdefault((scenario.key, service), []).append(result)
                    cpu = " ".join(f"{name} {pct:.0f}%" for name, pct in result.cpu_pct.items())
                    say(
                        f"  {size:>6} {scenario.key:<11} {service:<6} round {round_number + 1}: "
                        f"{result.rps:8.1f} req/s  p50 {result.p50_ms:8.2f} ms  p99 {result.p99_ms:8.2f} ms  "
                        f"errors {result.errors}  cpu: {cpu}"
                    )
                if scenario.creates:
                    self._delete_created(marker)
        return runs

    def _context(self, size: int) -> Context:
        cursor, after, pages = walk_to_deep_page(self.api.base_url, size, self.config.deep_pages)
        # The driver's mirrored query must find exactly the page the API serves for that cursor.
        served = [item["id"] for item in get_json(f"{self.api.base_url}/contacts?cursor={quote(cursor)}")["items"]]
        query = page_query(after)
        mirrored = self.api_contacts.find(query.filter, query.projection).sort(query.sort).limit(query.limit)
        mirrored_ids = [document["_id"] for document in mirrored][:PAGE]
        if served != mirrored_ids:
            raise RuntimeError(
                f"the driver's deep-page query disagrees with the API: {served[:3]} vs {mirrored_ids[:3]}"
            )
        ids = data.sample_ids(self.api_contacts, self.api_loader.loaded, SAMPLE_IDS)
        return Context(ids=ids, deep_cursor=cursor, deep_after=after, deep_pages=pages, token=secrets.token_hex(4))

    def _warm_up(self, scenarios: list[Scenario], context: Context) -> None:
        """A few requests of every scenario on every HTTP service; each must succeed."""
        marker = data.marker_now()
        for scenario in scenarios:
            for name in scenario.services:
                service = {API: self.api, SEED: self.seed}.get(name)
                if service is not None:
                    for n in range(self.config.warmup_requests):
                        call(service.base_url, scenario.http(context), n)
        self._delete_created(marker)

    def _run(self, scenario: Scenario, service: str, context: Context) -> RunResult:
        config = self.config
        if service == DRIVER:
            driven = asyncio.run(self._driver_run(scenario, context), loop_factory=uvloop.new_event_loop)
            settle([self.db_pid])
            return driven
        target = self.api if service == API else self.seed
        if target is None:
            raise RuntimeError(f"{service} is not running")
        watch = {service: target.pid, "db": self.db_pid}
        result = run_wrk(target.base_url, scenario.http(context), config.seconds, config.concurrency, watch)
        waited = settle(watch.values())  # wrk leaves requests in flight: let them finish before the next run
        if waited > 2:
            say(f"  ({service} and the database were busy for {waited:.1f} s after the run)")
        return result

    async def _driver_run(self, scenario: Scenario, context: Context) -> RunResult:
        if scenario.driver is None:
            raise RuntimeError(f"{scenario.key} has no driver form")
        client = connect(self.uri)
        try:
            operation = scenario.driver(client[API_DB]["contacts"], context)
            watch = {"bench": os.getpid(), "db": self.db_pid}
            return await run_operations(operation, self.config.seconds, self.config.concurrency, watch)
        finally:
            await client.close()

    def _delete_created(self, marker: Any) -> None:
        data.delete_created_since(self.api_contacts, marker, string_ids=True)
        data.delete_created_since(self.seed_contacts, marker, string_ids=False)


def _start(stack: contextlib.ExitStack, config: BenchConfig, workdir: Path, seed_python: Path | None) -> Bench:
    """The shared embedded database, then this API and the seed service side by side; all stop with `stack`."""
    database_path = workdir / "bench.sqlite3"
    database = EmbeddedDatabase(database_path)
    stack.callback(database.stop)
    uri = database.start()
    say(f"embedded database ready at {redact_url(uri)}")
    db_pid = find_pid("\0embedded\0", str(database_path))
    if db_pid is None:
        raise RuntimeError("the embedded database's process was not found")
    api = stack.enter_context(api_service(LOG_DIR / "api.log", uri, API_DB))
    seed = None
    if seed_python is not None:
        seed = stack.enter_context(seed_service(LOG_DIR / "seed.log", seed_python, config.seed_app, uri))
    say(f"api ready after {api.wait_ready('/readyz'):.1f} s at {api.base_url}")
    if seed is not None:
        say(f"seed ready after {seed.wait_ready('/'):.1f} s at {seed.base_url}")
    bench = Bench(config, uri, db_pid, api, seed)
    stack.callback(bench.close)
    return bench


def run(config: BenchConfig) -> dict[str, Any]:
    """Run the whole benchmark; return the raw measurements (report.py turns them into results)."""
    wrk_path()  # fail early and clearly when the load generator is missing
    started = time.monotonic()
    results: dict[str, Any] = {"sizes": {}}
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        results["cold_start"] = measure_cold_starts(config, workdir)
        seed_python = None
        if config.seed_sizes and config.seed_app.exists():
            seed_python = ensure_seed_venv(config.seed_venv)
        elif config.seed_sizes:
            say(f"WARNING: {config.seed_app} not found; the seed service is not compared")
        bench = _start(stack, config, workdir, seed_python)
        stopped_by = None
        for size in config.sizes:
            if stopped_by is not None:
                results["sizes"][str(size)] = {"status": "skipped", "reason": stopped_by}
                continue
            try:
                results["sizes"][str(size)] = bench.measure(size)
            except data.LoadBudgetExceeded as error:
                reason = f"not loaded within the {config.load_budget:.0f} s budget ({error})"
                results["sizes"][str(size)] = {"status": "skipped", "reason": reason}
                stopped_by = f"a smaller size was already too slow to load ({size} contacts)"
                say(f"skipping {size}: {reason}")
        say("stopping the services")
    say("stopped")
    results["duration_s"] = round(time.monotonic() - started, 1)
    return results
