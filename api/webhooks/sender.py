"""Sending deliveries: one worker per subscription at a time, in feed order, signed, retried with backoff.

A worker sends a subscription's deliveries only while it holds the subscription's lease, taken and renewed by a
conditional update in the database, so two workers never send for one subscription at once (and never the same
event twice at once). Deliveries go oldest first, and a failing one holds back those after it: each contact's
events arrive in order. A failure is retried after a delay that doubles from WEBHOOK_BACKOFF (capped at an
hour), half of it random; once a delivery has failed for WEBHOOK_RETRY_FOR it is marked failed and the
subscription is disabled (`PATCH` it with `enabled: true` to resume).
"""

import random
from datetime import datetime, timedelta
from typing import Any

import httpx

from api.settings import Settings
from api.webhooks import repository, signing, targets
from models.contact import utc_now

MAX_BACKOFF_S = 3600.0
PER_ROUND = 100  # deliveries per subscription per round, so one busy subscription does not hold a worker
Document = dict[str, Any]


def backoff(attempts: int, base: float) -> timedelta:
    """The delay before the next attempt after `attempts` failed ones: doubling, capped, half of it random."""
    ceiling = min(MAX_BACKOFF_S, base * 2 ** min(attempts, 30))
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311 (jitter, not a secret)


async def send_round(webhook: Document, http: httpx.AsyncClient, settings: Settings, key: bytes, worker: str) -> None:
    """Send what is due of the subscription's deliveries, in order, while holding its lease.

    Outcomes are written a batch at a time: a worker killed before writing some makes the next one send them
    again, with the same `webhook-id`, which receivers deduplicate on.
    """
    lease = timedelta(seconds=2 * settings.webhook_timeout + 5 * settings.db_timeout)
    one_attempt = timedelta(seconds=settings.webhook_timeout + 2 * settings.db_timeout)
    held_until = utc_now() + lease
    if not await repository.claim(webhook["_id"], worker, held_until):
        return
    secret = signing.secret_for(key, webhook["_id"], webhook["secret_nonce"])
    outcomes: list[tuple[Document, Document]] = []
    try:
        for delivery in await repository.pending(webhook["_id"], PER_ROUND):
            if delivery["next_attempt_at"] > utc_now():
                return
            if held_until - utc_now() < one_attempt:  # renew before an attempt could outlast the lease
                await repository.record_attempts(outcomes)
                outcomes = []
                held_until = utc_now() + lease
                if not await repository.claim(webhook["_id"], worker, held_until):
                    return  # the lease ran out and another worker has it now
            outcome = await _attempt(delivery, webhook["url"], http, settings, secret)
            outcomes.append((delivery, outcome))
            if outcome["status"] != "delivered":
                if outcome["status"] == "failed":
                    reason = f"a delivery failed for {settings.webhook_retry_for}: {outcome['last_error']}"
                    await repository.disable(webhook["_id"], reason)
                return  # the ones after it wait: order per contact
    finally:
        await repository.record_attempts(outcomes)
        await repository.release(webhook["_id"], worker)


async def _attempt(delivery: Document, url: str, http: httpx.AsyncClient, settings: Settings, secret: str) -> Document:
    """One attempt, and what it changes of the delivery: delivered, failed for good, or when to try again."""
    code, error = await _post(url, delivery, http, settings, secret)
    now = utc_now()
    if error is None:
        return {"status": "delivered", "delivered_at": now, "last_status_code": code, "last_error": None}
    outcome: Document = {"status": "pending", "last_status_code": code, "last_error": error}
    retry_from: datetime = delivery.get("retry_from") or delivery["created_at"]
    if now - retry_from >= settings.webhook_retry_for:
        return outcome | {"status": "failed"}
    return outcome | {"next_attempt_at": now + backoff(delivery["attempts"], settings.webhook_backoff)}


async def _post(
    url: str, delivery: Document, http: httpx.AsyncClient, settings: Settings, secret: str
) -> tuple[int | None, str | None]:
    """POST the delivery; its status code, and what went wrong (None: delivered)."""
    try:
        await targets.check(url, allow_private=settings.webhook_allow_private)
        headers = signing.headers(secret, delivery["message_id"], utc_now(), delivery["body"])
        # Streamed and never read: the receiver's answer is its status, whatever body it sends.
        async with http.stream("POST", url, content=delivery["body"], headers=headers) as response:
            code = response.status_code
    except targets.RefusedTarget as refused:
        return None, f"refused: {refused}"
    except httpx.HTTPError as failed:
        return None, type(failed).__name__
    return code, None if 200 <= code < 300 else f"HTTP {code}"
