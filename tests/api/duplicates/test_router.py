"""The duplicate finder over HTTP: groups with their contacts, paging, dismissals, and a new scan after a change."""

import asyncio
from typing import Any

import httpx

from tests.factories import new_contact as new_default_contact

MISSING = "0123456789abcdef01234567"
NAMES = [("Ada", "Byron"), ("Alan", "Turing"), ("Grace", "Hopper"), ("Edsger", "Dijkstra"), ("Barbara", "Liskov")]


async def new_contact(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """A contact with only the fields given (the factory's default email and company would link them all)."""
    return await new_default_contact(client, **({"emails": None, "company": None} | fields))


async def test_groups_list_the_likely_duplicates_with_reasons(client: httpx.AsyncClient) -> None:
    ada = await new_contact(client, name="Ada Lovelace", emails=[{"value": "ada@example.com"}])
    again = await new_contact(client, name="Lovelace, Ada", emails=[{"value": "ADA@example.com"}])
    await new_contact(client, name="Alan Turing", emails=[{"value": "alan@example.com"}])
    grace = await new_contact(client, name="Grace Hopper", phones=[{"value": "+1 415 555 0100"}])
    amazing = await new_contact(client, name="Amazing Grace", phones=[{"value": "(415) 555-0100"}], company="Navy")

    response = await client.get("/contacts/duplicates")

    assert response.status_code == 200
    groups = response.json()["items"]
    by_first = {group["contacts"][0]["id"]: group for group in groups}
    assert len(groups) == 2
    assert sorted(contact["id"] for contact in by_first[min(ada["id"], again["id"])]["contacts"]) == sorted(
        [ada["id"], again["id"]]
    )
    assert by_first[min(ada["id"], again["id"])]["reasons"] == ["email", "name"]
    assert by_first[min(ada["id"], again["id"])]["score"] > 0.9
    phone_group = by_first[min(grace["id"], amazing["id"])]
    assert (phone_group["reasons"], phone_group["size"]) == (["phone"], 2)
    assert response.json()["next_cursor"] is None


async def test_pages_and_a_change_is_seen_at_once(client: httpx.AsyncClient) -> None:
    for number, (first, last) in enumerate(NAMES):
        await new_contact(client, name=f"{first} {last}", emails=[{"value": f"twin{number}@example.com"}])
        await new_contact(client, name=f"{last}, {first}", emails=[{"value": f"twin{number}@example.com"}])

    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/contacts/duplicates", params=params)).json()
        seen += [group["contacts"][0]["id"] for group in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    late = await new_contact(client, name="Ada Byron", emails=[{"value": "twin0@example.com"}])
    after = (await client.get("/contacts/duplicates")).json()["items"]

    assert len(seen) == len(set(seen)) == 5
    assert seen == sorted(seen)
    assert any(late["id"] in [contact["id"] for contact in group["contacts"]] for group in after)
    assert (await client.get("/contacts/duplicates", params={"cursor": "forged"})).status_code == 400


async def test_a_dismissed_pair_stays_apart(client: httpx.AsyncClient) -> None:
    ada = await new_contact(client, name="Ada Lovelace", emails=[{"value": "ada@example.com"}])
    again = await new_contact(client, name="Ada Lovelace", emails=[{"value": "ada@example.com"}])

    dismissed = await client.post("/contacts/duplicates/dismissals", json={"ids": [again["id"], ada["id"]]})
    twice = await client.post("/contacts/duplicates/dismissals", json={"ids": [ada["id"], again["id"]]})
    await client.patch(
        f"/contacts/{ada['id']}", json={"nickname": "A"}, headers={"Content-Type": "application/merge-patch+json"}
    )

    assert (dismissed.status_code, twice.status_code) == (204, 204)
    assert (await client.get("/contacts/duplicates")).json()["items"] == []
    bad = [
        await client.post("/contacts/duplicates/dismissals", json={"ids": [ada["id"], ada["id"]]}),
        await client.post("/contacts/duplicates/dismissals", json={"ids": [ada["id"], MISSING]}),
        await client.post("/contacts/duplicates/dismissals", json={"ids": [ada["id"]]}),
    ]
    assert [response.status_code for response in bad] == [422, 422, 422]


async def test_merged_duplicates_leave_the_list(client: httpx.AsyncClient) -> None:
    ada = await new_contact(client, name="Ada Lovelace", emails=[{"value": "ada@example.com"}])
    again = await new_contact(client, name="A. Lovelace", emails=[{"value": "ada@example.com"}])
    assert len((await client.get("/contacts/duplicates")).json()["items"]) == 1

    await client.post(f"/contacts/{ada['id']}/merge", json={"from": [again["id"]]})

    assert (await client.get("/contacts/duplicates")).json()["items"] == []


async def test_a_deleted_duplicate_leaves_the_list_and_comes_back_when_undeleted(client: httpx.AsyncClient) -> None:
    ada = await new_contact(client, name="Ada Lovelace", emails=[{"value": "ada@example.com"}])
    again = await new_contact(client, name="Ada Lovelace", phones=[{"value": "+1 415 555 0100"}])
    assert len((await client.get("/contacts/duplicates")).json()["items"]) == 1

    await client.delete(f"/contacts/{again['id']}")
    gone = (await client.get("/contacts/duplicates")).json()["items"]
    await client.post(f"/contacts/{again['id']}/undelete")
    back = (await client.get("/contacts/duplicates")).json()["items"]

    assert gone == []
    assert [sorted(contact["id"] for contact in group["contacts"]) for group in back] == [
        sorted([ada["id"], again["id"]])
    ]


async def test_an_erased_tenant_starts_again(client: httpx.AsyncClient) -> None:
    for _ in range(2):
        await new_contact(client, name="Ada Lovelace", emails=[{"value": "ada@example.com"}])
    assert len((await client.get("/contacts/duplicates")).json()["items"]) == 1

    await client.delete("/tenant/data", headers={"Confirm-Erase": "default"})
    erased = (await client.get("/contacts/duplicates")).json()["items"]
    grace = [await new_contact(client, name="Grace Hopper", emails=[{"value": "grace@example.com"}]) for _ in range(2)]
    found: list[dict[str, Any]] = []
    for _ in range(50):  # the erased change numbers are a gap the feed steps over once SYNC_SETTLE (2 s) has passed
        found = (await client.get("/contacts/duplicates")).json()["items"]
        if found:
            break
        await asyncio.sleep(0.1)

    assert erased == []
    assert [sorted(contact["id"] for contact in group["contacts"]) for group in found] == [
        sorted(contact["id"] for contact in grace)
    ]
