"""The feed never skips a change still being written, and steps over numbers whose write died."""

from datetime import timedelta
from typing import Any

import pytest
from pymongo.database import Database

from api.changes import counters
from api.changes.service import read_changes
from api.changes.tokens import SyncToken
from api.contacts import writes
from api.contacts.repository import collection, new_document
from api.contacts.schemas import ContactWrite
from api.scope import Scope
from models.contact import utc_now

pytestmark = pytest.mark.usefixtures("bound_models")
OURS = Scope("ours")
TTL = timedelta(days=30)
SETTLE = timedelta(seconds=30)


def contact(name: str) -> ContactWrite:
    return ContactWrite(name=name)


async def names_after(seq: int, settle: timedelta = SETTLE) -> tuple[list[str], int]:
    read = await read_changes(OURS, SyncToken(seq, int(utc_now().timestamp())), 100, TTL, settle)
    return [contact.name for contact in read.changed], read.through


async def test_a_change_that_lands_after_a_later_one_is_not_skipped() -> None:
    await writes.insert(OURS, contact("First"))
    in_flight = await counters.allocate(OURS)  # a write that took its number and has not landed yet
    await writes.insert(OURS, contact("Third"))

    before, through = await names_after(0)
    await collection().insert_one(new_document(OURS, contact("Second"), seq=in_flight))
    after, _ = await names_after(through)

    assert (before, through) == (["First"], 1)
    assert after == ["Second", "Third"]


async def test_a_number_whose_write_died_is_stepped_over_once_the_next_change_is_settled() -> None:
    await counters.allocate(OURS)  # its write died
    await writes.insert(OURS, contact("Later"))

    waiting, _ = await names_after(0)
    settled, through = await names_after(0, settle=timedelta(0))

    assert waiting == []
    assert (settled, through) == (["Later"], 2)


async def test_a_contact_changed_twice_is_listed_once_at_its_last_change(database: Database[Any]) -> None:
    created = await writes.insert(OURS, contact("Draft"))
    stored = database.contacts.find_one({"_id": created.id})
    assert stored is not None
    await writes.replace(OURS, stored, contact("Final"))

    listed, through = await names_after(0, settle=timedelta(0))

    assert (listed, through) == (["Final"], 2)
    assert database.contacts.find_one({"_id": created.id}, {"seq": 1, "_id": 0}) == {"seq": 2}


async def test_a_contact_created_then_changed_at_once_is_in_the_very_next_read(database: Database[Any]) -> None:
    created = await writes.insert(OURS, contact("Draft"))
    stored = database.contacts.find_one({"_id": created.id})
    assert stored is not None
    await writes.replace(OURS, stored, contact("Final"))  # vacates number 1

    listed, through = await names_after(0)

    assert (listed, through) == (["Final"], 2)
