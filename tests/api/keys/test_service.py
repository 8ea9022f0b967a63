"""API keys: issued once, stored only as a digest, checked in constant time, revoked for good."""

import re
from typing import Any

import pytest
from pymongo.database import Database

from api.keys import repository, service
from models.contact import utc_now

pytestmark = pytest.mark.usefixtures("bound_models")


async def test_a_key_is_prefixed_high_entropy_and_names_its_id() -> None:
    issued = await service.create_key("acme", "ci")

    assert re.fullmatch(r"ck_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", issued.key)
    assert issued.key.startswith(f"ck_{issued.record['id']}_")
    assert (issued.record["tenant"], issued.record["label"]) == ("acme", "ci")


async def test_only_the_digest_is_stored(database: Database[Any]) -> None:
    issued = await service.create_key("acme")

    stored = database.api_keys.find_one({"_id": issued.record["id"]})

    assert stored is not None
    assert issued.key.split("_", 2)[2] not in str(stored)
    assert stored["secret_sha256"] == service.digest(issued.key)


async def test_the_key_authenticates_as_its_tenant() -> None:
    issued = await service.create_key("acme")

    principal = await service.authenticate(issued.key)

    assert principal == service.Principal(tenant="acme", key_id=issued.record["id"])


@pytest.mark.parametrize("tamper", [lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"), lambda key: key + "x"])
async def test_a_wrong_secret_for_a_real_id_is_refused(tamper: Any) -> None:
    issued = await service.create_key("acme")

    assert await service.authenticate(tamper(issued.key)) is None


@pytest.mark.parametrize("presented", ["", "ck_", "Bearer x", "ck_0123456789abcdef_" + "A" * 43, "x" * 10_000])
async def test_malformed_or_unknown_keys_are_refused(presented: str) -> None:
    assert await service.authenticate(presented) is None


async def test_a_revoked_key_stops_working_and_cannot_be_revoked_twice() -> None:
    issued = await service.create_key("acme")

    first, second = await service.revoke_key(issued.record["id"]), await service.revoke_key(issued.record["id"])

    assert (first, second) == (True, False)
    assert await service.authenticate(issued.key) is None
    [listed] = await service.list_keys("acme")
    assert listed["revoked_at"] is not None


@pytest.mark.parametrize("tenant", ["", "Acme", "a b", "a/b", "x" * 64, "$where"])
async def test_tenant_names_are_plain_words(tenant: str) -> None:
    with pytest.raises(service.InvalidTenant):
        await service.create_key(tenant)


async def test_key_records_are_read_once_per_period_and_the_secret_is_checked_every_time(
    database: Database[Any],
) -> None:
    issued = await service.create_key("acme")
    records = service.KeyRecords(seconds=60)

    first = await service.authenticate(issued.key, records)
    database.api_keys.update_one({"_id": issued.record["id"]}, {"$set": {"tenant": "changed"}})
    second = await service.authenticate(issued.key, records)
    wrong = await service.authenticate(issued.key[:-1] + ("A" if issued.key[-1] != "A" else "B"), records)

    assert first == second == service.Principal(tenant="acme", key_id=issued.record["id"])
    assert wrong is None
    assert await service.authenticate(issued.key) == service.Principal(tenant="changed", key_id=issued.record["id"])


async def test_an_unknown_key_id_is_not_remembered_as_unknown() -> None:
    records = service.KeyRecords(seconds=60)
    key = "ck_0123456789abcdef_" + "A" * 43

    refused = await service.authenticate(key, records)
    await repository.insert(
        {
            "id": "0123456789abcdef",
            "tenant": "acme",
            "label": None,
            "secret_sha256": service.digest(key),
            "created_at": utc_now(),
            "revoked_at": None,
        }
    )

    assert refused is None
    assert await service.authenticate(key, records) == service.Principal(tenant="acme", key_id="0123456789abcdef")
