"""The files-and-sync phase at one size: full sync, 10 changes, both exports (while the feed settles), the polls,
the duplicate scan and merges, then both imports (bench/sync.py, bench/domain.py, bench/interchange.py)."""

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import domain, interchange, sync
from bench.config import REPO_ROOT, BenchConfig
from bench.data import Document
from bench.load import settle
from bench.progress import say
from bench.scenarios import Context
from bench.services import Service, api_service, worker_pid

IMPORT_DB = "bench_import"  # each import goes into a fresh embedded database, served by a fresh API process
LOG_DIR = REPO_ROOT / "build" / "bench" / "logs"


@dataclass(frozen=True, slots=True)
class FilesRun:
    """What the phase needs of the run: its configuration, the contact templates and a scratch folder."""

    config: BenchConfig
    templates: list[Document]
    workdir: Path


def measure(api: Service, size: int, context: Context, run: FilesRun) -> dict[str, Any]:
    """Sync, export and import figures at `size` contacts (the API under test holds them)."""
    base_url, pid = api.base_url, worker_pid(api.pid)
    full = sync.follow(base_url, sync.FULL)
    changed_at = sync.change(base_url, context.ids[: sync.CHANGES], context.token)
    exports = {}
    for file_format in interchange.FORMATS:
        exports[file_format] = exported = interchange.export(base_url, file_format, pid)
        say(f"  {size:>6} export {file_format}: {exported['contacts']} contacts in {exported['seconds']:.2f} s "
            f"({exported['per_s']:,.0f}/s), RSS {_memory(exported)}")  # fmt: skip
    sync.wait_settled(changed_at)
    polls = [sync.follow(base_url, full.token) for _ in range(sync.POLLS)]
    synced = sync.summary(full, polls, len(context.ids[: sync.CHANGES]))
    say(f"  {size:>6} sync: full {full.seconds:.2f} s in {full.requests} requests ({full.changed} contacts); "
        f"poll {synced['poll']['seconds'] * 1000:.1f} ms, {synced['poll']['changed']} changed; "
        f"poll/full {synced['poll_vs_full']}")  # fmt: skip
    domain_figures = domain.measure(base_url, context.ids[0])
    scanned, merged = domain_figures["duplicates"], domain_figures["merge"]
    say(f"  {size:>6} duplicates: full scan {scanned['full_seconds']:.2f} s, {scanned['after_change_seconds']:.3f} s "
        f"after a change, {scanned['kept_seconds']:.3f} s kept; merge p50 {merged['p50_ms']} ms, "
        f"p90 {merged['p90_ms']} ms")  # fmt: skip
    return {"sync": synced, "export": exports, **domain_figures, "import": _imports(size, run)}


def _imports(size: int, run: FilesRun) -> dict[str, dict[str, Any]]:
    """Each file format imported into a fresh database by a fresh API process (both dropped afterwards)."""
    rows = interchange.import_size(size, run.config.import_max_rows)
    imports = {}
    for file_format in interchange.FORMATS:
        body = interchange.import_file(file_format, rows, run.templates)
        imports[file_format] = done = _import(file_format, body, rows, run.workdir)
        say(f"  {size:>6} import {file_format}: {rows} rows in {done['seconds']:.2f} s ({done['per_s']:,.0f}/s), "
            f"{done['created']} created, {done['failed']} failed, RSS {_memory(done)}")  # fmt: skip
    return imports


def _import(file_format: str, body: bytes, rows: int, workdir: Path) -> dict[str, Any]:
    """POST `body` to a fresh `python -m api` with its own embedded database in an empty folder.

    Not the shared server: every row is then a create, into an empty collection, and the contacts the other
    phases measure stay as they are.
    """
    folder = workdir / f"import-{file_format}"
    try:
        with api_service(LOG_DIR / f"import-{file_format}.log", None, IMPORT_DB, folder) as service:
            service.wait_ready("/readyz")
            settle([service.pid])  # WORKERS=1: the process serves in itself (its child is its database)
            return interchange.post_import(service.base_url, file_format, body, rows, service.pid)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _memory(run: dict[str, Any]) -> str:
    return f"{run['rss_before_mb']} -> {run['rss_peak_mb']} MB"
