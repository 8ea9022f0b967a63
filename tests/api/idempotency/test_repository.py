"""The idempotency keys repository: one claim per key and tenant, a lease, a result once done."""

from datetime import datetime, timedelta

import pytest

from api.idempotency import repository
from api.scope import Scope
from models.contact import utc_now

pytestmark = pytest.mark.usefixtures("bound_models")
OURS, THEIRS = Scope("ours"), Scope("theirs")
ID = "6b081b01192d8ee71ccc146a"


def lease(seconds: float = 10) -> datetime:
    return utc_now() + timedelta(seconds=seconds)


async def test_a_key_is_claimed_once_per_tenant() -> None:
    assert await repository.claim(OURS, "k", "fingerprint-1", ID, lease()) is True
    assert await repository.claim(OURS, "k", "fingerprint-2", ID, lease()) is False
    assert await repository.claim(THEIRS, "k", "fingerprint-3", ID, lease()) is True

    ours, theirs = await repository.find(OURS, "k"), await repository.find(THEIRS, "k")

    assert ours is not None
    assert theirs is not None
    assert (ours["fingerprint"], theirs["fingerprint"]) == ("fingerprint-1", "fingerprint-3")
    assert ours["resource_id"] == ID


async def test_a_claim_holds_no_result_until_completed() -> None:
    await repository.claim(OURS, "k", "f", ID, lease())
    pending = await repository.find(OURS, "k")

    await repository.complete(OURS, "k", {"id": ID})
    done = await repository.find(OURS, "k")

    assert pending is not None
    assert pending["result"] is None
    assert done is not None
    assert done["result"] == {"id": ID}


async def test_only_one_request_takes_over_an_ended_lease() -> None:
    ended = utc_now() - timedelta(seconds=1)
    await repository.claim(OURS, "k", "f", ID, ended)
    claim = await repository.find(OURS, "k")
    assert claim is not None

    first = await repository.take_over(OURS, "k", claim["lease_until"], lease())
    second = await repository.take_over(OURS, "k", claim["lease_until"], lease())

    assert (first, second) == (True, False)


async def test_ending_a_lease_lets_a_retry_take_over_at_once() -> None:
    await repository.claim(OURS, "k", "f", ID, lease(60))

    await repository.end_lease(OURS, "k")
    claim = await repository.find(OURS, "k")

    assert claim is not None
    assert claim["lease_until"] <= utc_now()


async def test_release_drops_a_claim_only_if_it_is_old_enough() -> None:
    await repository.claim(OURS, "k", "f", ID, lease())

    await repository.release(OURS, "k", created_before=utc_now() - timedelta(hours=1))
    kept = await repository.find(OURS, "k")
    await repository.release(OURS, "k", created_before=utc_now() + timedelta(seconds=1))

    assert kept is not None
    assert await repository.find(OURS, "k") is None


async def test_keys_are_stored_only_as_digests() -> None:
    await repository.claim(OURS, "my-secret-key", "f", ID, lease())

    stored = await repository.collection().find_one({})

    assert stored is not None
    assert "my-secret-key" not in str(stored)
    assert stored["tenant"] == "ours"
