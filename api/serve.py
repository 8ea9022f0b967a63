"""Serving: the embedded database when no MONGODB_URL is given (supervised), then uvicorn on uvloop.

SIGTERM is the normal way to stop: uvicorn stops accepting, lets requests in flight finish for up to
SHUTDOWN_TIMEOUT, closes the database client; then the embedded database stops (killed after 2 s if it
is stalled), and the process exits 0.
"""

import asyncio
import contextlib
import logging
import os
import resource
import secrets
import shutil
import signal
import tempfile
from types import FrameType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from api.observability.logs import configure_logging, log_config
from api.settings import Settings
from embedded import EmbeddedDatabase
from embedded.status import ENVIRONMENT as EMBEDDED_STATUS

logger = logging.getLogger("api.serve")


def redact_url(url: str) -> str:
    """The URL without its user name and password, safe to log."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # uvicorn drains, then re-raises the signal that stopped it; exiting by exception lets `finally` stop
    # the database. A SIGTERM is a requested, orderly stop: exit status 0.
    raise SystemExit(0)


def embedded_database(settings: Settings, early: EmbeddedDatabase | None) -> EmbeddedDatabase | None:
    """The launched embedded database that `settings` want, if any: `early` if it is that one, else a new one."""
    if early is not None and (settings.mongodb_url is not None or early.path != settings.embedded_db_path):
        early.stop()
        early = None
    if settings.mongodb_url is not None or early is not None:
        return early
    database = EmbeddedDatabase(settings.embedded_db_path)
    database.launch()
    return database


def server_options(settings: Settings, protocol: type[Any] | None = None) -> dict[str, Any]:
    """uvicorn's options for these settings: uvloop, the hardened httptools protocol, no `server` header."""
    from api.http.server_protocol import HardenedHttpToolsProtocol

    return {
        "loop": "uvloop",
        "http": protocol or HardenedHttpToolsProtocol,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "server_header": False,
        "log_config": log_config(settings),
        "access_log": False,  # api.access logs every request, with its route and request id
        "timeout_graceful_shutdown": settings.shutdown_timeout,
    }


def raise_file_limit() -> None:
    """Let this process open as many files as the system allows it (connections are files)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 1 << 20, hard))


def in_step_with_migrations(settings: Settings) -> None:
    """Check (or, with MIGRATE_ON_START, bring) the database in step with the code, once, before any worker.

    A refusal stops the service with its one-line reason (README: "Migrations"), not a traceback.
    """
    from api.migrations.service import MigrationsOutOfStep, check_on_start

    try:
        asyncio.run(check_on_start(settings))
    except MigrationsOutOfStep:
        raise SystemExit(2) from None


def serve(settings: Settings, early: EmbeddedDatabase | None = None) -> None:
    """Run the API until SIGINT/SIGTERM; stop uvicorn first, then the embedded database.

    `early` is an embedded database already launched for these settings (see `api.__main__`); it is used
    if the settings want that same file, and stopped otherwise.
    """
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    configure_logging(settings)
    # Before the app is imported: every worker then keeps its metrics where /metrics in any worker sums them.
    metrics_folder = tempfile.mkdtemp(prefix="contacts-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_folder
    embedded = embedded_database(settings, early)  # it imports for a while: let it, while we import the app
    try:
        import uvicorn

        import api.app  # noqa: F401  (imported now, in parallel with the database start)

        if embedded is not None:
            url = embedded.wait_ready()
            where = f"embedded SQLite file {settings.embedded_db_path.resolve()} ({redact_url(url)})"
            os.environ[EMBEDDED_STATUS] = str(embedded.files.status)
            embedded.supervise(embedded.files.status)
        elif settings.mongodb_url is not None:
            url = settings.mongodb_url.get_secret_value()
            where = redact_url(url)
        else:  # embedded_database() launches one whenever no MONGODB_URL is set
            raise RuntimeError("no database to serve from")
        in_step_with_migrations(settings.model_copy(update={"mongodb_url": SecretStr(url)}))
        # Workers read their settings from the environment, so hand them the resolved ones.
        os.environ["MONGODB_URL"] = url
        os.environ.setdefault("CURSOR_SECRET", secrets.token_hex(32))
        logger.info(
            "serving http://%s:%s with %d worker(s), loop uvloop, http httptools; database: %s",
            settings.host,
            settings.port,
            settings.workers,
            where,
        )
        raise_file_limit()
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            **server_options(settings),
        )
    finally:
        if embedded is not None:
            embedded.stop()
            logger.info("embedded database stopped")
        shutil.rmtree(metrics_folder, ignore_errors=True)
