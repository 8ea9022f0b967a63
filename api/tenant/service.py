"""A tenant's data as a whole: one export of everything, and its erasure. Both are audited in the logs."""

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson

from api.changes import counters
from api.contacts import repository as contacts
from api.duplicates import repository as duplicates
from api.groups import repository as groups
from api.history import repository as history
from api.idempotency import repository as idempotency
from api.scope import Scope
from api.webhooks import repository as webhooks
from models.contact import CARD_PROPERTIES, GROUPS_FIELD, utc_now

audit = logging.getLogger("api.audit")
EXPORTED_FIELDS = ("deleted_at", CARD_PROPERTIES, GROUPS_FIELD)


@dataclass(frozen=True, slots=True)
class Erased:
    """How much an erasure deleted."""

    contacts: int
    versions: int
    groups: int


def _line(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


async def export(scope: Scope) -> AsyncIterator[bytes]:
    """Every group, contact (live and trashed) and kept version of the tenant, as NDJSON, a line at a time.

    The last line counts what came before it, so a client can tell a complete export from a cut one.
    """
    audit.info("tenant export started: tenant=%s key=%s", scope.tenant, scope.key_id)
    yield _line({"type": "tenant", "tenant": scope.tenant, "exported_at": utc_now()})
    counted = {"groups": 0, "contacts": 0, "versions": 0}
    async for group in groups.every_group(scope):
        yield _line({"type": "group", "group": groups.to_view(group)})
        counted["groups"] += 1
    async for document in contacts.every_contact(scope):
        extra = {field: document[field] for field in EXPORTED_FIELDS if field in document}
        yield _line({"type": "contact", "contact": contacts.to_view(document) | extra})
        counted["contacts"] += 1
    async for entry in history.every_version(scope):
        shown = {key: entry.get(key) for key in ("contact_id", "version", "at", "kind", "key_id", "patch", "fields")}
        yield _line({"type": "version", "version": shown})
        counted["versions"] += 1
    yield _line({"type": "end"} | counted)
    audit.info("tenant export finished: tenant=%s key=%s %s", scope.tenant, scope.key_id, counted)


async def erase(scope: Scope) -> Erased:
    """Delete the tenant's groups, contacts, trash, history, change log, dismissals, webhook deliveries and
    idempotency records. Its keys and webhook subscriptions stay.
    """
    audit.warning("tenant erasure started: tenant=%s key=%s", scope.tenant, scope.key_id)
    await counters.expire_tokens(scope)
    erased = Erased(
        contacts=await contacts.erase(scope), versions=await history.erase(scope), groups=await groups.erase(scope)
    )
    await idempotency.erase(scope)
    await duplicates.erase(scope)
    await webhooks.erase_deliveries(scope)
    await counters.expire_tokens(scope)  # again: a change made during the erasure is gone too
    audit.warning(
        "tenant erasure finished: tenant=%s key=%s contacts=%d versions=%d groups=%d",
        scope.tenant,
        scope.key_id,
        erased.contacts,
        erased.versions,
        erased.groups,
    )
    return erased
