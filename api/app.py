"""The application factory and its lifespan: one database client per process."""

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypedDict

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from prometheus_client import multiprocess
from pymongo import AsyncMongoClient

from api.changes.router import router as changes_router
from api.changes.tokens import token_secret
from api.contacts.router import router as contacts_router
from api.database import connect, init_models
from api.duplicates.router import router as duplicates_router
from api.groups.router import router as groups_router
from api.health.router import router as health_router
from api.history.router import router as history_router
from api.http.auth import Authentication
from api.http.contract import install_contract
from api.http.docs import install_docs
from api.http.hosts import LoopbackHostsOnly
from api.http.problems import install_error_handlers, problem_responses
from api.http.request_limits import BodyLimit, RequestLimits
from api.http.response_headers import HeadAsGet, SecurityHeaders
from api.interchange.router import IMPORT_PATH
from api.interchange.router import router as interchange_router
from api.keys.service import KeyRecords
from api.merges.router import router as merges_router
from api.migrations.service import check_on_start
from api.observability.requests import RequestObserver
from api.observability.router import router as metrics_router
from api.ratelimits.service import Guard
from api.seed.router import router as seed_router
from api.settings import Settings, get_settings
from api.tenant.router import router as tenant_router
from api.trash.router import router as trash_router
from api.trash.service import maintain
from api.webhooks import worker as webhooks
from api.webhooks.router import router as webhooks_router
from models.channels import set_default_phone_region

logger = logging.getLogger("api")
MAINTENANCE_STOP_SECONDS = 5.0
STARTUP_TIMEOUT = 60.0  # seconds for each database operation of the start (indexes, the sync-token key)


class LifespanState(TypedDict):
    """What the lifespan hands every request (as `request.state`)."""

    mongo: AsyncMongoClient[dict[str, object]]
    cursor_secret: bytes
    sync_secret: bytes


def operation_id(route: APIRoute) -> str:
    """A stable, readable operationId from the endpoint's name: `list_contacts` -> `listContacts`."""
    head, *rest = route.name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API; the database is connected when the lifespan starts."""
    settings = settings or get_settings()
    set_default_phone_region(settings.default_phone_region)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[LifespanState]:
        if settings.mongodb_url is None:
            raise RuntimeError("MONGODB_URL is not set; start the service with `python -m api`")
        await check_on_start(settings)  # README: "Migrations"; first, so that a refusal leaves no client open
        url = settings.mongodb_url.get_secret_value()
        # A busy database (a restart under load, indexes to build on a large collection) gets STARTUP_TIMEOUT
        # here, not the per-request DB_TIMEOUT: the service then starts slowly instead of crash-looping.
        starting = connect(url, STARTUP_TIMEOUT)
        try:
            await init_models(starting, settings.mongodb_db)
            sync_secret = await token_secret(settings, starting)
        finally:
            await starting.close()
        mongo = connect(url, settings.db_timeout)
        await init_models(mongo, settings.mongodb_db, indexes=False)
        loop = asyncio.get_running_loop()
        logger.info("ready: event loop %s.%s", type(loop).__module__, type(loop).__qualname__)
        secret = settings.cursor_secret.get_secret_value() if settings.cursor_secret else secrets.token_hex(32)
        stop_maintenance = asyncio.Event()
        maintenance = asyncio.create_task(maintain(settings, stop_maintenance), name="maintenance")
        deliveries = asyncio.create_task(webhooks.run(settings, sync_secret, stop_maintenance), name="webhooks")
        try:
            yield {"mongo": mongo, "cursor_secret": secret.encode(), "sync_secret": sync_secret}
        finally:
            stop_maintenance.set()  # lets a purge round finish (a few seconds at most), then cancels it
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(maintenance, MAINTENANCE_STOP_SECONDS)
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(deliveries, MAINTENANCE_STOP_SECONDS)
            await mongo.close()
            if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
                multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]

    app = FastAPI(
        title="Contacts API",
        version="1.0.0",
        summary="Create, list, read, change, delete and search contacts.",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # a redirect would name the client's Host; /contacts/ is simply not found
        # What any request can meet before it reaches its operation (README: "Limits").
        responses=problem_responses(408, 413, 431, 503),
    )
    app.state.settings = settings
    app.state.guard = Guard(settings.rate_limit, settings.max_concurrent_per_key)
    install_error_handlers(app)
    for router in (
        changes_router,
        trash_router,
        interchange_router,
        history_router,
        merges_router,
        duplicates_router,
        contacts_router,
        groups_router,
        webhooks_router,
        tenant_router,
        seed_router,
        health_router,
        metrics_router,
    ):
        app.include_router(router)
    install_docs(app)
    install_contract(app)
    install_middleware(app, settings)
    return app


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """The request pipeline, inside out: limits, HEAD, the key check, CORS, open mode's hosts, headers, logs.

    The key is checked before a request counts against the worker's capacity or any of its body is read.
    """
    app.add_middleware(
        RequestLimits,
        body=BodyLimit(settings.max_body_bytes, settings.body_timeout),
        uploads={IMPORT_PATH: BodyLimit(settings.import_max_bytes, settings.import_body_timeout)},
        max_in_flight=settings.max_requests_in_flight,
    )
    app.add_middleware(HeadAsGet)
    if settings.auth_required:
        app.add_middleware(Authentication, guard=app.state.guard, records=KeyRecords(settings.key_cache_seconds))
    else:
        app.add_middleware(LoopbackHostsOnly)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_allow_origins),
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key"],
            expose_headers=["ETag", "Location", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining",
                            "RateLimit-Reset", "Idempotent-Replayed", "X-Request-ID"],
        )  # fmt: skip
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestObserver)
