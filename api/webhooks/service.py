"""The rules of webhook subscriptions, free of HTTP: create (the secret shown once), read, change, delete."""

from dataclasses import dataclass
from typing import Any

from api.changes import counters
from api.errors import NotFound, PreconditionFailed, UnprocessableContent, ValidationIssue
from api.groups import repository as groups
from api.preconditions import Precondition, conditionally
from api.scope import Scope
from api.settings import Settings
from api.webhooks import repository, signing, targets
from api.webhooks.schemas import WebhookPatch, WebhookWrite

Document = dict[str, Any]


class WebhookNotFound(NotFound):
    """No subscription has the requested id (in this scope)."""

    message = "No webhook has this id."


class DeliveryNotFound(NotFound):
    """No delivery of this subscription has the requested id."""

    message = "This webhook has no delivery with this id."


class StaleWebhook(PreconditionFailed):
    """The subscription changed since the client read the ETag it sent."""

    message = "The webhook has changed since that ETag; GET it again and retry."


@dataclass(frozen=True, slots=True)
class Created:
    """A new subscription and its secret (shown once)."""

    webhook: Document
    secret: str


async def _checked_url(url: str, settings: Settings) -> str:
    try:
        await targets.check(url, allow_private=settings.webhook_allow_private)
    except targets.RefusedTarget as refused:
        issue = ValidationIssue(location="body", pointer="/url", detail=f"Refused: {refused}.")
        raise UnprocessableContent([issue]) from None
    return url


async def create(scope: Scope, body: WebhookWrite, settings: Settings, key: bytes) -> Created:
    """Subscribe to events from now on; the secret is derived, returned here and never again."""
    fields = body.model_dump(mode="json", exclude_none=True) | {"url": await _checked_url(body.url, settings)}
    fields["events"] = list(dict.fromkeys(fields["events"]))
    nonce = signing.new_nonce()
    cursor, group_cursor = (await counters.read(scope)).seq, (await counters.read(groups.feed_scope(scope))).seq
    webhook = await repository.insert(scope, fields, nonce, cursor, group_cursor)
    return Created(webhook, signing.secret_for(key, webhook["_id"], nonce))


async def get(scope: Scope, webhook_id: str) -> Document:
    """The subscription `webhook_id`; a 404 when there is none."""
    found = await repository.find(scope, webhook_id)
    if found is None:
        raise WebhookNotFound
    return found


async def change(
    scope: Scope, webhook_id: str, patch: WebhookPatch, precondition: Precondition | None, settings: Settings
) -> Document:
    """Change the URL, events, description or `enabled` (conditional with If-Match)."""
    changes = patch.model_dump(mode="json", exclude_unset=True)
    if "url" in changes and changes["url"] is not None:
        changes["url"] = await _checked_url(changes["url"], settings)
    for field in ("url", "events", "enabled"):
        if field in changes and changes[field] is None:
            issue = ValidationIssue(location="body", pointer=f"/{field}", detail="Cannot be cleared.")
            raise UnprocessableContent([issue])
    if "events" in changes:
        changes["events"] = list(dict.fromkeys(changes["events"]))
    return await conditionally(
        lambda: get(scope, webhook_id),
        lambda current: repository.update(scope, current, changes),
        precondition,
        StaleWebhook,
        "The webhook is changing too often to change; retry.",
    )


async def delete(scope: Scope, webhook_id: str) -> None:
    """Delete the subscription and its delivery log."""
    await repository.delete(scope, await get(scope, webhook_id))


async def redeliver(scope: Scope, webhook_id: str, delivery_id: str) -> Document:
    """Send a delivery again (same `webhook-id`), after any the subscription has pending before it."""
    await get(scope, webhook_id)
    delivery = await repository.find_delivery(scope, webhook_id, delivery_id)
    if delivery is None:
        raise DeliveryNotFound
    await repository.redeliver(delivery)
    found = await repository.find_delivery(scope, webhook_id, delivery_id)
    if found is None:
        raise DeliveryNotFound
    return found
