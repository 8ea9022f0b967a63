"""The outbox: each subscription turns the tenant's change feed into deliveries, from where it left off.

The change feed is the contacts themselves, numbered in the order they changed (README: "Sync and history"),
so there is nothing to write beside a change and nothing a crash can lose. A subscription reads the feed after
its cursor, never past a change still being made (the feed's own rule), stores a delivery per event (idempotent:
ids are the subscription's and the change number), and only then moves its cursor. A crash in between stores
the same deliveries again, which changes nothing.

Events: `contact.created` for a contact created after the cursor, `contact.updated` (or `contact.merged`, for a
merge's survivor) for one changed since, `contact.deleted` (with `merged_into` for a merged-away one) for one
deleted. The feed keeps a contact's latest change, so changes made between two rounds (half a second) reach a
receiver as one event with the latest state; a contact created then changed gets both events.
"""

from datetime import timedelta
from typing import Any

import orjson

from api.changes.service import settled_changes
from api.contacts.repository import to_record
from api.groups import repository as groups
from api.scope import Scope
from api.webhooks import repository
from models.contact import utc_now

BATCH = 200
Document = dict[str, Any]


def events_of(document: Document, cursor: int) -> list[tuple[str, str, dict[str, Any]]]:
    """The events one change in the feed makes: (suffix, type, data)."""
    change = document.get("change") or {}
    if document.get("deleted_at") is not None:
        gone = {"id": document["_id"], "deleted_at": document["deleted_at"], "merged_into": document.get("merged_into")}
        return [("d", "contact.deleted", gone)]
    contact = to_record(document).model_dump(mode="json")
    events = []
    created_since = document.get("first_seq") is not None and document["first_seq"] > cursor
    if created_since:
        events.append(("c", "contact.created", {"contact": contact}))
    if change.get("merged_from"):
        events.append(("u", "contact.merged", {"contact": contact, "merged_from": change["merged_from"]}))
    elif document["version"] > 1 or not created_since:
        events.append(("u", "contact.updated", {"contact": contact}))
    return events


def group_events_of(document: Document, cursor: int) -> list[tuple[str, str, dict[str, Any]]]:
    """The events one change in the group feed makes: (suffix, type, data), as for contacts."""
    if document.get("deleted_at") is not None:
        return [("d", "group.deleted", {"id": document["_id"], "deleted_at": document["deleted_at"]})]
    data = {"group": groups.to_view(document)}
    created_since = document.get("first_seq", 0) > cursor
    events = [("c", "group.created", data)] if created_since else []
    if document["version"] > 1 or not created_since:
        events.append(("u", "group.updated", data))
    return events


def _delivery(
    webhook: Document, document: Document, suffix: str, event_type: str, data: dict[str, Any], feed: str = ""
) -> Document:
    now = utc_now()
    body = orjson.dumps({"type": event_type, "timestamp": document["updated_at"], "data": data}).decode()
    return {
        "_id": repository.delivery_id(webhook["_id"], document["seq"], feed) + suffix,
        "tenant": webhook["tenant"],
        "webhook_id": webhook["_id"],
        "message_id": f"msg_{webhook['_id']}_{feed}{document['seq']}{suffix}",
        "event_type": event_type,
        "seq": document["seq"],
        "body": body,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "retry_from": now,
    }


async def dispatch(webhook: Document, settle: timedelta) -> tuple[int, bool]:
    """Turn the next changes after the subscription's cursor into deliveries; the new cursor, and if more wait."""
    scope = Scope(webhook["tenant"])
    found, through, more = await settled_changes(scope, webhook["cursor"], BATCH, settle, keep=("change", "first_seq"))
    if through == webhook["cursor"]:
        return through, False
    wanted = set(webhook["events"])
    new = [
        _delivery(webhook, document, suffix, event_type, data)
        for document in found
        for suffix, event_type, data in events_of(document, webhook["cursor"])
        if event_type in wanted
    ]
    await repository.add_deliveries(new)
    await repository.advance(webhook, through)
    return through, more


async def dispatch_groups(webhook: Document, settle: timedelta) -> tuple[int, bool]:
    """`dispatch` for the tenant's group changes (group.created, group.updated, group.deleted)."""
    scope = Scope(webhook["tenant"])
    cursor = webhook.get("group_cursor", 0)
    found, through, more = await settled_changes(
        scope, cursor, BATCH, settle, counted_in=groups.feed_scope(scope), find=groups.find_changed
    )
    if through == cursor:
        return through, False
    wanted = set(webhook["events"])
    new = [
        _delivery(webhook, document, suffix, event_type, data, feed="g")
        for document in found
        for suffix, event_type, data in group_events_of(document, cursor)
        if event_type in wanted
    ]
    await repository.add_deliveries(new)
    await repository.advance(webhook, through, "group_cursor")
    return through, more
