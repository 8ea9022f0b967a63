"""The idempotency keys repository: one claim per key and tenant, a result once done, release on failure."""

from datetime import timedelta

import pytest

from api.idempotency import repository
from api.scope import Scope
from models.contact import utc_now

pytestmark = pytest.mark.usefixtures("bound_models")
OURS, THEIRS = Scope("ours"), Scope("theirs")


async def test_a_key_is_claimed_once_per_tenant() -> None:
    assert await repository.claim(OURS, "k", "fingerprint-1") is True
    assert await repository.claim(OURS, "k", "fingerprint-2") is False
    assert await repository.claim(THEIRS, "k", "fingerprint-3") is True

    ours, theirs = await repository.find(OURS, "k"), await repository.find(THEIRS, "k")

    assert ours is not None
    assert theirs is not None
    assert (ours["fingerprint"], theirs["fingerprint"]) == ("fingerprint-1", "fingerprint-3")


async def test_a_claim_holds_no_result_until_completed() -> None:
    await repository.claim(OURS, "k", "f")
    pending = await repository.find(OURS, "k")

    await repository.complete(OURS, "k", {"id": "6b081b01192d8ee71ccc146a"})
    done = await repository.find(OURS, "k")

    assert pending is not None
    assert pending["result"] is None
    assert done is not None
    assert done["result"] == {"id": "6b081b01192d8ee71ccc146a"}


async def test_release_drops_a_claim_only_if_it_is_old_enough_when_asked() -> None:
    await repository.claim(OURS, "k", "f")

    await repository.release(OURS, "k", created_before=utc_now() - timedelta(hours=1))
    kept = await repository.find(OURS, "k")
    await repository.release(OURS, "k")

    assert kept is not None
    assert await repository.find(OURS, "k") is None


async def test_keys_are_stored_only_as_digests() -> None:
    await repository.claim(OURS, "my-secret-key", "f")

    stored = await repository.collection().find_one({})

    assert stored is not None
    assert "my-secret-key" not in str(stored)
    assert stored["tenant"] == "ours"
