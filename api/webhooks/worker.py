"""Each worker process's webhook loop: every WEBHOOK_INTERVAL, fill the outbox, then send what is due."""

import asyncio
import contextlib
import logging
import os
import secrets
import socket

import httpx
from pymongo.errors import PyMongoError

from api.settings import Settings
from api.webhooks import repository
from api.webhooks.dispatch import dispatch, dispatch_groups
from api.webhooks.sender import send_round

logger = logging.getLogger("api.webhooks")
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
    """Fill every enabled subscription's outbox from the feed, then send its due deliveries."""
    for webhook in await repository.enabled():
        for _ in range(BATCHES_PER_ROUND):
            cursor, more = await dispatch(webhook, settings.sync_settle)
            webhook = webhook | {"cursor": cursor}
            if not more:
                break
        if any(event.startswith("group.") for event in webhook["events"]):
            for _ in range(BATCHES_PER_ROUND):
                cursor, more = await dispatch_groups(webhook, settings.sync_settle)
                webhook = webhook | {"group_cursor": cursor}
                if not more:
                    break
        await send_round(webhook, http, settings, key, worker)
