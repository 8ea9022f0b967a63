"""Webhook subscriptions, and the deliveries made from the change feed to each (api/webhooks)."""

from datetime import datetime
from typing import ClassVar

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from models.contact import new_contact_id


class Webhook(Document):
    """A tenant's subscription: where to send which events, and how far into the change feed it has got.

    The signing secret is never stored: it is derived from the service's key and `secret_nonce`
    (api/webhooks/signing.py). `lease_until` is a worker's claim on sending its deliveries.
    """

    id: str = Field(default_factory=new_contact_id)  # type: ignore[assignment]
    tenant: str
    url: str
    events: list[str]
    description: str | None = None
    enabled: bool = True
    disabled_reason: str | None = None
    secret_nonce: str
    cursor: int = 0  # the last change number turned into deliveries
    group_cursor: int = 0  # the same, in the tenant's group changes
    lease_until: datetime | None = None
    lease_by: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    class Settings:
        name = "webhooks"
        keep_nulls = False
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("tenant", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("enabled", ASCENDING)]),
        ]


class WebhookDelivery(Document):
    """One event for one subscription: its body as first made, and every attempt to deliver it.

    `id` is "<webhook id>:<change number, 12 digits><c|u|d>" ("...:g<number>..." for a group change), so a
    subscription's deliveries sort in feed order and making one twice stores it once. The message id a receiver
    deduplicates on is the same at every attempt.
    """

    id: str  # type: ignore[assignment]
    tenant: str
    webhook_id: str
    message_id: str
    event_type: str
    seq: int
    body: str
    status: str = "pending"  # pending, delivered, failed
    attempts: int = 0
    next_attempt_at: datetime
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime
    retry_from: datetime  # its retries end WEBHOOK_RETRY_FOR after this (a redelivery starts it again)
    delivered_at: datetime | None = None

    class Settings:
        name = "webhook_deliveries"
        keep_nulls = False
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("webhook_id", ASCENDING), ("status", ASCENDING), ("_id", ASCENDING)]),  # the next to send
            IndexModel([("webhook_id", ASCENDING), ("_id", DESCENDING)]),  # the delivery log, newest first
            IndexModel([("tenant", ASCENDING), ("_id", ASCENDING)]),  # erasure
        ]
