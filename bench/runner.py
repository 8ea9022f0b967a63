"""One benchmark run: start everything once, then load, warm up and measure size after size.

One embedded database server holds every collection; this API, the seed service and Eve (one
worker each) and the in-process raw driver all talk to it. Within a size, each round runs every
scenario on each of its services, in alternating order, to spread machine noise evenly; then the
SQLite limit harness (`limit.py`) runs the same documents straight in SQLite.
"""

import asyncio
import contextlib
import os
import secrets
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import uvloop
from pymongo import MongoClient

from api.contacts.repository import new_document
from api.contacts.schemas import ContactWrite
from api.database import connect
from api.serve import redact_url
from bench import data, files, limit
from bench.client import HttpError, call, get_json
from bench.config import BenchConfig
from bench.files import LOG_DIR, FilesRun
from bench.load import RunResult, run_operations, run_wrk, settle, summarize
from bench.progress import say
from bench.scenarios import (
    API,
    DRIVER,
    EVE,
    PAGE,
    SCENARIOS,
    SEED,
    Context,
    Scenario,
    create_body,
    page_query,
    walk_to_deep_page,
)
from bench.services import (
    EVE_REQUIREMENTS,
    SEED_REQUIREMENTS,
    Service,
    api_service,
    ensure_venv,
    eve_service,
    find_pid,
    process_memory_mb,
    seed_service,
    worker_pid,
    wrk_path,
)
from embedded import EmbeddedDatabase
from models.contact import new_contact_id

API_DB = "bench_contacts"
SEED_DB = "mydatabase"  # what seed_app.py reads and writes
EVE_DB = "bench_eve"
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


@dataclass(slots=True)
class Peer:
    """A service ours is compared with over HTTP: its process, its own collection, and up to which size."""

    name: str
    service: Service | None
    loader: data.Loader
    max_size: int
    too_slow: str | None = None  # once its data cannot keep up, larger sizes skip it too

    def skipped_at(self, size: int) -> str | None:
        """Why this peer is not compared at `size` (None: it is)."""
        if self.service is None:
            return f"{self.name} is not available (see the run's output)"
        if size > self.max_size:
            return f"compared up to {self.max_size} contacts (BENCH_{self.name.upper()}_MAX_SIZE)"
        return self.too_slow


class Bench:
    """The running services and collections, and the measurements of each size."""

    def __init__(self, config: BenchConfig, uri: str, db_pid: int, api: Service, workdir: Path) -> None:
        self.config, self.uri, self.api, self.db_pid, self.workdir = config, uri, api, db_pid, workdir
        self.client: MongoClient[data.Document] = MongoClient(uri, tz_aware=True)
        self.api_contacts = self.client[API_DB]["contacts"]
        self.templates = data.contact_templates()
        self.api_loader = data.Loader(
            self.api_contacts, data.api_maker(self.api_contacts, self.templates), "api", config.batch_size
        )
        self.peers: dict[str, Peer] = {}

    def add_peer(self, name: str, service: Service | None, database: str, make: data.Maker, max_size: int) -> None:
        """Compare with `service` (None: it did not start, and every size records that) on its own collection."""
        loader = data.Loader(self.client[database]["contacts"], make, name, self.config.batch_size)
        self.peers[name] = Peer(name, service, loader, max_size)

    def close(self) -> None:
        """Close the harness's own database client."""
        self.client.close()

    def measure(self, size: int) -> dict[str, Any]:
        """Load `size` contacts, run every scenario's rounds, then the SQLite limit; raises data.LoadBudgetExceeded."""
        load_s, skipped = self._load(size)
        time.sleep(1.1)  # the create scenarios delete ids from the next second on: keep loaded ones out of it
        context = self._context(size, skipped)
        plan = []
        for scenario in SCENARIOS:
            services = tuple(service for service in scenario.services if service not in skipped)
            if len(services) > 1:
                plan.append((scenario, services))
        self._warm_up(plan, context)
        say(f"  loaded in {load_s:.1f} s; deep page after {context.deep_pages} pages; warmed up")
        runs = self._rounds(size, plan, context)
        measured: dict[str, dict[str, Any]] = {}
        for (key, service), results in runs.items():
            measured.setdefault(key, {})[service] = summarize(results)
        entry = {
            "status": "measured",
            "contacts": self.api_contacts.estimated_document_count(),
            "load_s": round(load_s, 1),
            "deep_pages": context.deep_pages,
            "api_memory": process_memory_mb(self.api.pid),
            "scenarios": measured,
            "skipped_peers": skipped,
            "limit": self._limit(size, context),
        }
        if size in self.config.files_sizes:  # last: they change 10 contacts, and import into other databases
            try:
                entry |= files.measure(self.api, size, context, FilesRun(self.config, self.templates, self.workdir))
            except HttpError as error:  # reported, and the other sizes are still measured
                entry["files_error"] = str(error)
                say(f"  {size:>6} files and sync failed: {error}")
        return entry

    def _load(self, size: int) -> tuple[float, dict[str, str]]:
        """Grow the API's collection (else the size is skipped), then each peer's (else only its comparison is).

        Returns the seconds spent and, for each peer not compared at this size, why.
        """
        config = self.config
        say(f"== {size} contacts: loading (budget {config.load_budget:.0f} s)")
        started = time.monotonic()
        deadline = started + config.load_budget
        self.api_loader.grow_to(size, deadline)
        skipped = {}
        for peer in self.peers.values():
            reason = peer.skipped_at(size)
            if reason is None:
                try:
                    peer.loader.grow_to(size, deadline)
                except data.LoadBudgetExceeded as error:
                    peer.too_slow = reason = (
                        f"its data did not load within the {config.load_budget:.0f} s budget ({error})"
                    )
                    say(f"  not comparing {peer.name} from {size} on: {reason}")
            if reason is not None:
                skipped[peer.name] = reason
        return time.monotonic() - started, skipped

    def _limit(self, size: int, context: Context) -> dict[str, Any]:
        """The same documents and indexes straight in SQLite: inserts, gets and first pages per second."""
        base = new_document(data.SCOPE, ContactWrite.model_validate(create_body(0, context.token)), seq=size + 1)
        path = self.workdir / f"limit-{size}.sqlite3"
        try:
            measured = limit.measure(
                path,
                data.api_documents(0, size, self.templates),
                lambda n: base | {"_id": new_contact_id(), "seq": size + 1 + n},
                self.config.limit_seconds,
            )
        finally:
            for leftover in self.workdir.glob(f"{path.name}*"):
                leftover.unlink()
        say(f"  {size:>6} sqlite limit: {measured['create']:.0f} inserts/s, {measured['get']:.0f} gets/s, "
            f"{measured['list']:.0f} pages/s")  # fmt: skip
        return measured

    def _rounds(
        self, size: int, plan: list[tuple[Scenario, tuple[str, ...]]], context: Context
    ) -> dict[tuple[str, str], list[RunResult]]:
        """Every scenario on each of its services, round after round, in alternating order."""
        runs: dict[tuple[str, str], list[RunResult]] = {}
        for round_number in range(self.config.rounds):
            for scenario, services in plan:
                ordered = services if round_number % 2 == 0 else services[::-1]
                marker = data.marker_now()
                for service in ordered:
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

    def _context(self, size: int, skipped: dict[str, str]) -> Context:
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
        eve_ids = data.eve_sample_ids(size, SAMPLE_IDS) if EVE in self.peers and EVE not in skipped else []
        return Context(ids, cursor, after, pages, secrets.token_hex(4), eve_ids)

    def _http_service(self, name: str) -> Service | None:
        return self.api if name == API else self.peers[name].service if name in self.peers else None

    def _warm_up(self, plan: list[tuple[Scenario, tuple[str, ...]]], context: Context) -> None:
        """A few requests of every scenario on every HTTP service; each must succeed."""
        marker = data.marker_now()
        for scenario, services in plan:
            for name in services:
                service = self._http_service(name)
                if service is not None:
                    for n in range(self.config.warmup_requests):
                        call(service.base_url, scenario.request(name, context), n)
        self._delete_created(marker)

    def _run(self, scenario: Scenario, service: str, context: Context) -> RunResult:
        config = self.config
        if service == DRIVER:
            driven = asyncio.run(self._driver_run(scenario, context), loop_factory=uvloop.new_event_loop)
            settle([self.db_pid])
            return driven
        target = self._http_service(service)
        if target is None:
            raise RuntimeError(f"{service} is not running")
        watch = {service: worker_pid(target.pid), "db": self.db_pid}
        request = scenario.request(service, context)
        result = run_wrk(target.base_url, request, config.seconds, config.concurrency, watch)
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
        for peer in self.peers.values():
            data.delete_created_since(peer.loader.collection, marker, string_ids=False)


def _venv(name: str, venv: Path, requirements: Path, wanted: bool) -> Path | None:
    """The peer's interpreter, or None (with a warning) when its venv cannot be built."""
    if not wanted:
        return None
    try:
        return ensure_venv(venv, requirements, name)
    except (OSError, subprocess.CalledProcessError) as error:
        say(f"WARNING: {name} is not compared: its virtualenv could not be built ({error})")
        return None


def _start(stack: contextlib.ExitStack, config: BenchConfig, workdir: Path) -> Bench:
    """The shared embedded database, then this API, the seed service and Eve side by side; all stop with `stack`."""
    seed_python = _venv(
        "seed", config.seed_venv, SEED_REQUIREMENTS, bool(config.seed_sizes) and config.seed_app.exists()
    )
    if config.seed_sizes and not config.seed_app.exists():
        say(f"WARNING: {config.seed_app} not found; the seed service is not compared")
    eve_python = _venv("eve", config.eve_venv, EVE_REQUIREMENTS, bool(config.eve_sizes))
    database_path = workdir / "bench.sqlite3"
    database = EmbeddedDatabase(database_path)
    stack.callback(database.stop)
    uri = database.start()
    say(f"embedded database ready at {redact_url(uri)}")
    db_pid = find_pid("\0embedded\0", str(database_path))
    if db_pid is None:
        raise RuntimeError("the embedded database's process was not found")
    api = stack.enter_context(api_service(LOG_DIR / "api.log", uri, API_DB))
    seed = eve = None
    if seed_python is not None:
        seed = stack.enter_context(seed_service(LOG_DIR / "seed.log", seed_python, config.seed_app, uri))
    if eve_python is not None:
        eve = stack.enter_context(eve_service(LOG_DIR / "eve.log", eve_python, uri, EVE_DB))
    say(f"api ready after {api.wait_ready('/readyz'):.1f} s at {api.base_url}")
    for name, service, path in ((SEED, seed, "/"), (EVE, eve, "/contacts?max_results=1")):
        if service is not None:
            say(f"{name} ready after {service.wait_ready(path):.1f} s at {service.base_url}")
    bench = Bench(config, uri, db_pid, api, workdir)
    stack.callback(bench.close)
    templates = bench.templates
    bench.add_peer(SEED, seed, SEED_DB, data.seed_documents, config.seed_max_size)
    bench.add_peer(EVE, eve, EVE_DB, lambda start, n: data.eve_documents(start, n, templates), config.eve_max_size)
    return bench


def run(config: BenchConfig) -> dict[str, Any]:
    """Run the whole benchmark; return the raw measurements (report.py turns them into results)."""
    wrk_path()  # fail early and clearly when the load generator is missing
    started = time.monotonic()
    results: dict[str, Any] = {"sizes": {}}
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        results["cold_start"] = measure_cold_starts(config, workdir)
        bench = _start(stack, config, workdir)
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
