"""API keys: issued once, stored only as a digest, checked in constant time, revoked for good."""

import re
from typing import Any

import pytest
from pymongo.database import Database

from api.keys import service

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
