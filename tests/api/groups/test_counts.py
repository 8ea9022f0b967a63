"""Member counts after a write that was cut short: its mark stays, and a stale mark makes the next read recount."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from pymongo.database import Database

from api.groups import counts, repository
from api.scope import DEFAULT_TENANT, Scope
from models.contact import utc_now
from models.group import GroupFields
from tests.api.groups.test_groups import new_group
from tests.factories import new_contact

SCOPE = Scope(DEFAULT_TENANT)


async def group_with_members(client: httpx.AsyncClient, members: int) -> str:
    group = await new_group(client, "Counted")
    ids = [(await new_contact(client, name=f"m{i}"))["id"] for i in range(members)]
    await client.post(f"/groups/{group['id']}/members", json={"ids": ids})
    group_id: str = group["id"]
    return group_id


async def stored(group_id: str) -> dict[str, Any]:
    found = await counts.collection().find_one({"_id": group_id})
    assert found is not None
    return found


def stale_mark(op: str) -> dict[str, Any]:
    return {"op": op, "at": utc_now() - counts.STALE_AFTER - timedelta(seconds=1)}


async def test_a_write_cut_short_keeps_its_mark_and_a_clean_one_removes_it(bound_models: None) -> None:
    group_id = (await repository.insert(SCOPE, GroupFields(name="Counted")))["_id"]

    async def cut_short_write() -> None:
        async with counts.changing(SCOPE, [group_id]) as members:
            members[group_id] += 5
            raise RuntimeError("killed between the contacts' write and the count's")

    with pytest.raises(RuntimeError):
        await cut_short_write()
    cut_short = await stored(group_id)
    async with counts.changing(SCOPE, [group_id]) as members:
        members[group_id] += 2
    finished = await stored(group_id)

    assert cut_short["member_count"] == 0
    assert len(cut_short["pending"]) == 1
    assert finished["member_count"] == 2
    assert finished["pending"] == cut_short["pending"]  # only its own mark is removed
    assert finished["version"] == cut_short["version"] + 1


async def test_a_stale_mark_is_recounted_on_read_and_a_fresh_one_is_not(
    client: httpx.AsyncClient, database: Database[dict[str, Any]]
) -> None:
    group_id = await group_with_members(client, 3)
    groups = database["groups"]
    groups.update_one({"_id": group_id}, {"$set": {"member_count": 7, "pending": [{"op": "fresh", "at": utc_now()}]}})

    assert (await client.get(f"/groups/{group_id}")).json()["member_count"] == 7  # a write may still be under way

    groups.update_one({"_id": group_id}, {"$set": {"pending": [stale_mark("stale")]}})
    before = groups.find_one({"_id": group_id})
    listed = (await client.get("/groups")).json()["items"]
    after = groups.find_one({"_id": group_id})

    assert before is not None
    assert after is not None
    assert [group["member_count"] for group in listed if group["id"] == group_id] == [3]
    assert (after["member_count"], after["pending"], after["version"]) == (3, [], before["version"] + 1)


async def test_a_recount_gives_way_to_a_write_that_marked_the_group_after_it_looked(bound_models: None) -> None:
    group_id = (await repository.insert(SCOPE, GroupFields(name="Raced")))["_id"]
    await counts.collection().update_one({"_id": group_id}, {"$set": {"member_count": 9, "pending": [stale_mark("x")]}})
    looked = await stored(group_id)
    await counts.collection().update_one({"_id": group_id}, {"$push": {"pending": {"op": "new", "at": utc_now()}}})

    settled = await counts.settled(SCOPE, looked)

    assert settled["member_count"] == 9
    assert (await stored(group_id))["member_count"] == 9
    assert len((await stored(group_id))["pending"]) == 2
