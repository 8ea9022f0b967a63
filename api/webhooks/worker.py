"""Each worker process's webhook loop: every WEBHOOK_INTERVAL, fill the outbox, then send what is due."""

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from pymongo.errors import PyMongoError

from api.settings import Settings
from api.webhooks import repository
from api.webhooks.dispatch import dispatch, dispatch_groups
from api.webhooks.sender import send_round

logger = logging.getLogger("api.webhooks")
Document = dict[str, Any]
Dispatcher = Callable[[Document, timedelta], Awaitable[tuple[int, bool]]]
BATCHES_PER_ROUND = 10  # of dispatch.BATCH changes per subscription, so a backlog does not starve the sending


async def run(settings: Settings, key: bytes, stop: asyncio.Event) -> None:
    """Dispatch and send until `stop` is set; a round the database fails is retried at the next."""
    worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    async with httpx.AsyncClient(timeout=settings.webhook_timeout, follow_redirects=False) as http:
        while not stop.is_set():
            try:
                await one_round(settings, key, http, worker)
            except PyMongoError as error:
                logger.warning("webhook round failed, retried: %s", type(error).__name__)
            except Exception:  # a bug here must not end the deliveries, nor the worker's shutdown
                logger.exception("webhook round failed, retried")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.webhook_interval)


async def one_round(settings: Settings, key: bytes, http: httpx.AsyncClient, worker: str) -> None:
    """Fill every enabled subscription's outbox from the feeds, then send its due deliveries."""
    for webhook in await repository.enabled():
        webhook = await _fill(webhook, dispatch, "cursor", settings.sync_settle)
        if any(event.startswith("group.") for event in webhook["events"]):
            webhook = await _fill(webhook, dispatch_groups, "group_cursor", settings.sync_settle)
        await send_round(webhook, http, settings, key, worker)


async def _fill(webhook: Document, step: Dispatcher, cursor: str, settle: timedelta) -> Document:
    """Run one feed's `step` up to BATCHES_PER_ROUND times; the subscription with that feed's new `cursor`."""
    for _ in range(BATCHES_PER_ROUND):
        position, more = await step(webhook, settle)
        webhook = webhook | {cursor: position}
        if not more:
            break
    return webhook
