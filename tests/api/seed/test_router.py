"""The seed blog post's routes keep the shapes of its curl session."""

import re

import httpx

from tests.factories import contact_payload


async def test_seed_curl_session(client: httpx.AsyncClient) -> None:
    inserted = await client.post("/new", json={"name": "masnun"}, headers={"content-type": "application/json"})

    assert inserted.status_code == 200
    assert set(inserted.json()) == {"inserted_id"}
    assert re.fullmatch(r"[0-9a-f]{24}", inserted.json()["inserted_id"])
    listed = await client.get("/")
    assert listed.status_code == 200
    assert listed.json() == [{"id": inserted.json()["inserted_id"], "name": "masnun"}]


async def test_seed_list_is_flat_without_nulls_and_at_most_20(client: httpx.AsyncClient) -> None:
    for i in range(22):
        await client.post("/new", json={"name": f"Contact {i}", "email": f"c{i}@example.com"})

    contacts = (await client.get("/")).json()

    assert len(contacts) == 20
    assert [c["name"] for c in contacts] == [f"Contact {i}" for i in range(20)]
    assert all(set(c) == {"id", "name", "email"} for c in contacts)


async def test_seed_single_email_and_phone_become_the_primary_list_entries(client: httpx.AsyncClient) -> None:
    inserted = await client.post("/new", json={"name": "Ada", "email": "Ada@Example.com", "phone": "+1 415 555 0123"})

    contact = (await client.get(f"/contacts/{inserted.json()['inserted_id']}")).json()
    flat = (await client.get("/")).json()

    assert contact["emails"] == [
        {"value": "Ada@example.com", "label": None, "primary": True, "original": "Ada@Example.com"}
    ]
    assert contact["phones"][0]["value"] == "+14155550123"
    assert flat == [{"id": contact["id"], "name": "Ada", "email": "Ada@example.com", "phone": "+14155550123"}]


async def test_seed_list_shows_the_primary_email(client: httpx.AsyncClient) -> None:
    emails = [{"value": "first@example.com"}, {"value": "main@example.com", "primary": True}]
    await client.post("/contacts", json=contact_payload(emails=emails, company=None))

    (flat,) = (await client.get("/")).json()

    assert flat["email"] == "main@example.com"


async def test_seed_list_shows_contacts_created_through_the_api(client: httpx.AsyncClient) -> None:
    created = (await client.post("/contacts", json=contact_payload())).json()

    (listed,) = (await client.get("/")).json()

    assert listed["id"] == created["id"]
    assert "created_at" not in listed


async def test_seed_create_validates_like_the_api(client: httpx.AsyncClient) -> None:
    response = await client.post("/new", json={"name": "masnun", "_id": "x"})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/")).json() == []
