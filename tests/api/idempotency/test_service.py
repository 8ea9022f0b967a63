"""`Idempotency-Key` on create: replays within the window, refuses a reused key with another body."""

import asyncio
import hashlib
from datetime import timedelta
from typing import Any

import httpx
from pymongo.database import Database

from api.idempotency.service import IdempotentRequest
from models.contact import utc_now
from tests.factories import contact_payload, create_contact


async def post(client: httpx.AsyncClient, key: str, payload: dict[str, object]) -> httpx.Response:
    return await client.post("/contacts", json=payload, headers={"Idempotency-Key": key})


async def test_same_key_and_body_replays_the_first_response(client: httpx.AsyncClient) -> None:
    first = await post(client, "key-1", contact_payload())
    second = await post(client, "key-1", contact_payload())

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len((await client.get("/contacts")).json()["items"]) == 1


async def test_key_order_in_the_body_does_not_matter(client: httpx.AsyncClient) -> None:
    first = await client.post(
        "/contacts",
        content=b'{"name": "Ada", "company": "X"}',
        headers={"Idempotency-Key": "k", "content-type": "application/json"},
    )
    second = await client.post(
        "/contacts",
        content=b'{"company": "X", "name": "Ada"}',
        headers={"Idempotency-Key": "k", "content-type": "application/json"},
    )

    assert second.json()["id"] == first.json()["id"]


async def test_same_key_with_another_body_is_422(client: httpx.AsyncClient) -> None:
    await post(client, "key-2", contact_payload())

    response = await post(client, "key-2", contact_payload(name="Someone Else"))

    assert response.status_code == 422
    assert response.json()["type"] == "/problems/idempotency-key-reused"
    assert len((await client.get("/contacts")).json()["items"]) == 1


async def test_different_keys_create_different_contacts(client: httpx.AsyncClient) -> None:
    first = await post(client, "key-a", contact_payload())
    second = await post(client, "key-b", contact_payload())

    assert first.json()["id"] != second.json()["id"]


async def test_concurrent_retries_create_one_contact(client: httpx.AsyncClient) -> None:
    responses = await asyncio.gather(*(post(client, "key-c", contact_payload()) for _ in range(8)))

    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    assert {r.status_code for r in responses} <= {201, 409}
    assert len((await client.get("/contacts")).json()["items"]) == 1


async def test_a_failed_create_does_not_use_up_the_key(client: httpx.AsyncClient) -> None:
    invalid = await post(client, "key-d", {"name": ""})
    valid = await post(client, "key-d", contact_payload())

    assert invalid.status_code == 422
    assert valid.status_code == 201


async def test_an_expired_key_can_be_used_again(client: httpx.AsyncClient, database: Database[Any]) -> None:
    first = await post(client, "key-e", contact_payload())
    # Age the stored record past the 24 h window, as the clock would.
    database.idempotency_keys.update_many({}, {"$set": {"created_at": utc_now() - timedelta(hours=25)}})

    second = await post(client, "key-e", contact_payload())

    assert second.status_code == 201
    assert second.json()["id"] != first.json()["id"]


async def test_malformed_key_is_422(client: httpx.AsyncClient) -> None:
    response = await post(client, "x" * 256, contact_payload())

    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "header"


async def test_keys_expire_through_a_ttl_index(client: httpx.AsyncClient, database: Database[Any]) -> None:
    indexes = database.idempotency_keys.index_information()

    assert any(index.get("expireAfterSeconds") == 86400 for index in indexes.values())


def claim_left_by_a_crash(
    database: Database[Any], key: str, body: dict[str, Any], contact_id: str, lease: float
) -> None:
    """What a request that claimed `key` and then died leaves behind: a claim with no result."""
    fingerprint = IdempotentRequest.of("createContact", key, body).fingerprint
    record_id = hashlib.sha256(f"default\0{key}".encode()).hexdigest()
    now = utc_now()
    database.idempotency_keys.insert_one(
        {
            "_id": record_id,
            "tenant": "default",
            "fingerprint": fingerprint,
            "created_at": now,
            "resource_id": contact_id,
            "lease_until": now + timedelta(seconds=lease),
        }
    )


async def test_a_retry_after_a_crash_replays_the_contact_that_was_stored(
    client: httpx.AsyncClient, database: Database[Any]
) -> None:
    stored = (await create_contact(client)).json()  # the crashed request had stored it...
    claim_left_by_a_crash(database, "crashed", contact_payload(), stored["id"], lease=60)  # ...but not its result

    retry = await post(client, "crashed", contact_payload())

    assert retry.status_code == 201
    assert retry.json()["id"] == stored["id"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert len((await client.get("/contacts")).json()["items"]) == 1


async def test_a_retry_after_a_crash_that_stored_nothing_takes_over_once_the_lease_ends(
    client: httpx.AsyncClient, database: Database[Any]
) -> None:
    reserved = "6b081b01192d8ee71ccc146a"
    claim_left_by_a_crash(database, "early", contact_payload(), reserved, lease=60)
    claim_left_by_a_crash(database, "late", contact_payload(name="Late"), "6b081b01192d8ee71ccc146b", lease=-1)

    within_lease = await post(client, "early", contact_payload())
    after_lease = await post(client, "late", contact_payload(name="Late"))

    assert within_lease.status_code == 409
    assert after_lease.status_code == 201
    assert after_lease.json()["id"] == "6b081b01192d8ee71ccc146b"  # the id the claim had reserved
    assert (await post(client, "late", contact_payload(name="Late"))).headers["idempotent-replayed"] == "true"
