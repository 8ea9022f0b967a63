"""The trash: deleted contacts within TRASH_RETENTION, undeleting them, and purging those past it."""

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from pymongo.errors import PyMongoError

from api.changes import counters
from api.contacts import repository, writes
from api.contacts.repository import Document
from api.contacts.schemas import ContactOut
from api.contacts.service import ContactNotFound, StaleContact
from api.history import repository as history
from api.preconditions import Precondition, conditionally
from api.scope import Scope
from api.settings import Settings
from models.contact import utc_now

PURGE_BATCH = 100
logger = logging.getLogger("api.trash")


class NotInTrash(ContactNotFound):
    """No deleted contact has this id, or it was deleted longer ago than TRASH_RETENTION."""

    message = "No contact with this id is in the trash (it is not deleted, or it is past TRASH_RETENTION)."


async def list_trash(
    scope: Scope, retention: timedelta, limit: int, after: tuple[datetime, str] | None
) -> tuple[list[Document], tuple[datetime, str] | None]:
    """Up to `limit` trashed contacts, most recently deleted first, and the position after them if more follow."""
    found = await repository.find_trash_page(scope, utc_now() - retention, limit + 1, after)
    page = found[:limit]
    more = len(found) > limit
    return page, (page[-1]["deleted_at"], page[-1]["_id"]) if more else None


async def undelete(
    scope: Scope, contact_id: str, retention: timedelta, precondition: Precondition | None
) -> ContactOut:
    """Bring a contact back from the trash, as a new version."""

    async def trashed() -> Document:
        current = await repository.find_trashed(scope, contact_id, utc_now() - retention)
        if current is None:
            raise NotInTrash
        return current

    return await conditionally(
        trashed,
        lambda current: writes.untrash(scope, current),
        precondition,
        StaleContact,
        "The contact is changing too often to undelete; retry.",
    )


async def purge_expired(trash_retention: timedelta, history_retention: timedelta) -> tuple[int, int]:
    """Delete trashed contacts past `trash_retention` and versions past `history_retention`; how many of each.

    Safe to run in several workers at once: each delete is conditional, and the purge horizon only grows.
    """
    cutoff = utc_now() - trash_retention
    purged = 0
    for tenant in await counters.tenants():
        while batch := await repository.find_expired_trash(tenant, cutoff, PURGE_BATCH):
            # First the horizon, so that no token from before a purged deletion is honoured meanwhile.
            await counters.mark_purged(tenant, max(document["seq"] for document in batch))
            for document in batch:
                if await repository.purge(tenant, document["_id"], document["version"]):
                    await history.delete_contact_versions(tenant, document["_id"])
                    purged += 1
            if len(batch) < PURGE_BATCH:
                break
    versions = await history.purge_older_than(utc_now() - history_retention)
    if purged or versions:
        logger.info("purged %d contacts from the trash and %d old versions", purged, versions)
    return purged, versions


async def maintain(settings: Settings, stop: asyncio.Event) -> None:
    """Purge every MAINTENANCE_INTERVAL until `stop` is set; a round the database fails is retried next time.

    It waits first, so a start does no purge work, and a stop between rounds interrupts no database operation
    (cancelling one mid-flight would leave its connection open).
    """
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.maintenance_interval)
        if stop.is_set():
            return
        try:
            await purge_expired(settings.trash_retention, settings.history_retention)
        except PyMongoError as error:
            logger.warning("purge failed, retried in %.0f s: %s", settings.maintenance_interval, type(error).__name__)
        except Exception:  # a bug here must not end the purges, nor the worker's shutdown
            logger.exception("purge failed, retried in %.0f s", settings.maintenance_interval)
