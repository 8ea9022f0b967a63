"""A merge cut short: its expired locks are finished (the survivor took the merge) or undone (it did not)."""

from datetime import timedelta
from typing import Any

import pytest

from api.contacts import repository, service, writes
from api.merges import locks
from api.scope import DEFAULT_TENANT, Scope
from models.contact import ContactFields, utc_now

SCOPE = Scope(DEFAULT_TENANT)
EXPIRED = timedelta(seconds=-1)


async def two_contacts() -> tuple[dict[str, Any], dict[str, Any]]:
    survivor = await writes.insert(SCOPE, ContactFields(name="Keep"))
    source = await writes.insert(SCOPE, ContactFields(name="Fold", company="Co"))
    found = [await repository.find_document(SCOPE, contact.id) for contact in (survivor, source)]
    assert found[0] is not None
    assert found[1] is not None
    return found[0], found[1]


async def test_a_held_lock_refuses_changes_and_a_lock_that_changed_meanwhile_is_not_taken(bound_models: None) -> None:
    survivor, source = await two_contacts()

    assert await locks.lock(SCOPE, [source], survivor["_id"], "op-1", utc_now() + timedelta(minutes=1))
    assert not await locks.lock(SCOPE, [source], survivor["_id"], "op-2", utc_now() + timedelta(minutes=1))
    with pytest.raises(service.ContactBeingMerged):
        await service.patch_contact(SCOPE, source["_id"], {"name": "x"}, None)
    assert await writes.trash(SCOPE, source) is None  # every write skips a locked contact

    await locks.unlock(SCOPE, [source["_id"]], "op-1")
    assert (await service.patch_contact(SCOPE, source["_id"], {"name": "Free"}, None)).name == "Free"


async def test_an_expired_lock_whose_survivor_never_took_the_merge_is_undone(bound_models: None) -> None:
    survivor, source = await two_contacts()
    await locks.lock(SCOPE, [source], survivor["_id"], "op-cut", utc_now() + EXPIRED)

    changed = await service.patch_contact(SCOPE, source["_id"], {"nickname": "After"}, None)

    assert changed.nickname == "After"
    stored = await repository.find_document(SCOPE, source["_id"])
    assert stored is not None
    assert "merging" not in stored


async def test_an_expired_lock_whose_survivor_took_the_merge_is_finished(bound_models: None) -> None:
    survivor, source = await two_contacts()
    await locks.lock(SCOPE, [source], survivor["_id"], "op-cut", utc_now() + EXPIRED)
    merged = ContactFields(name="Keep", company="Co")
    assert await writes.replace(SCOPE, survivor, merged, kind="updated", additions={"merge_ops": ["op-cut"]})
    # ... and the process died before the tombstones.

    with pytest.raises(service.ContactMergedGone):
        await service.patch_contact(SCOPE, source["_id"], {"nickname": "After"}, None)
    with pytest.raises(service.ContactMergedAway):
        await service.get_contact(SCOPE, source["_id"])
    tombstone = await repository.find_owned(SCOPE, source["_id"])
    assert tombstone is not None
    assert (tombstone["merged_into"], tombstone["version"], "merging" in tombstone) == (survivor["_id"], 2, False)
