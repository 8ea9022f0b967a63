"""The purge: trashed contacts past TRASH_RETENTION go for good, with their history, and older tokens expire."""

from datetime import timedelta
from typing import Any

import pytest
from pymongo.database import Database

from api.changes import counters
from api.changes.service import read_changes
from api.changes.tokens import SyncToken, SyncTokenExpired
from api.contacts import repository, writes
from api.contacts.schemas import ContactWrite
from api.scope import Scope
from api.trash.service import purge_expired
from models.contact import utc_now

pytestmark = pytest.mark.usefixtures("bound_models")
OURS = Scope("ours")
KEEP = timedelta(days=1)


async def test_the_purge_removes_expired_trash_and_its_history_and_expires_older_tokens(
    database: Database[Any],
) -> None:
    old = await writes.insert(OURS, ContactWrite(name="Old"))
    live = await writes.insert(OURS, ContactWrite(name="Live"))
    before_delete = SyncToken(2, int(utc_now().timestamp()))
    stored = await repository.find_document(OURS, old.id)
    assert stored is not None
    await writes.trash(OURS, stored)
    database.contacts.update_one({"_id": old.id}, {"$set": {"deleted_at": utc_now() - 2 * KEEP}})

    purged, _ = await purge_expired(KEEP, timedelta(days=365))

    assert purged == 1
    assert database.contacts.find_one({"_id": old.id}) is None
    assert database.contact_versions.count_documents({"contact_id": old.id}) == 0
    assert await repository.get(OURS, live.id) is not None
    assert (await counters.read(OURS)).purged_through == 3
    with pytest.raises(SyncTokenExpired):
        await read_changes(OURS, before_delete, 10, timedelta(days=30), timedelta(0))
    after = await read_changes(OURS, SyncToken(3, int(utc_now().timestamp())), 10, timedelta(days=30), timedelta(0))
    assert after.changed == []


async def test_the_purge_keeps_recent_trash_and_drops_versions_past_their_retention(database: Database[Any]) -> None:
    created = await writes.insert(OURS, ContactWrite(name="V1"))
    stored = await repository.find_document(OURS, created.id)
    assert stored is not None
    await writes.replace(OURS, stored, ContactWrite(name="V2"))
    stored = await repository.find_document(OURS, created.id)
    assert stored is not None
    await writes.trash(OURS, stored)
    database.contact_versions.update_one({"_id": f"{created.id}.1"}, {"$set": {"at": utc_now() - 2 * KEEP}})

    purged, versions = await purge_expired(KEEP, KEEP)

    assert (purged, versions) == (0, 1)
    assert [entry["version"] for entry in database.contact_versions.find({"contact_id": created.id})] == [2]
    assert database.contacts.find_one({"_id": created.id}) is not None
