"""Members: add and remove with per-id results, member counts through deletes and undeletes, member listings."""

import httpx

from tests.api.groups.test_groups import new_group
from tests.factories import new_contact

MISSING = "0123456789abcdef01234567"


async def member_count(client: httpx.AsyncClient, group_id: str) -> int:
    count: int = (await client.get(f"/groups/{group_id}")).json()["member_count"]
    return count


async def test_add_reports_each_id_and_counts_the_members(client: httpx.AsyncClient) -> None:
    group = await new_group(client, "Climbers")
    ada, bob = [await new_contact(client, name=name) for name in ("Ada", "Bob")]

    first = await client.post(f"/groups/{group['id']}/members", json={"ids": [ada["id"], MISSING, ada["id"], "x"]})
    second = await client.post(f"/groups/{group['id']}/members", json={"ids": [ada["id"], bob["id"]]})

    assert first.status_code == 200
    assert [(r["status"], r.get("changed")) for r in first.json()["results"]] == [
        (200, True),
        (404, None),
        (200, False),
        (404, None),
    ]
    assert first.json()["results"][1]["problem"]["status"] == 404
    assert first.json()["member_count"] == 1
    assert [r["changed"] for r in second.json()["results"]] == [False, True]
    assert second.json()["member_count"] == 2
    assert await member_count(client, group["id"]) == 2
    # Joining a group is not a change of the contact: no new version, no entry in its history.
    assert (await client.get(f"/contacts/{ada['id']}")).json()["version"] == ada["version"]


async def test_remove_reports_each_id_and_keeps_the_contacts(client: httpx.AsyncClient) -> None:
    group = await new_group(client, "Runners")
    ada, bob = [await new_contact(client, name=name) for name in ("Ada", "Bob")]
    await client.post(f"/groups/{group['id']}/members", json={"ids": [ada["id"], bob["id"]]})

    removed = await client.post(f"/groups/{group['id']}/members/remove", json={"ids": [ada["id"], ada["id"], MISSING]})

    assert [(r["status"], r.get("changed")) for r in removed.json()["results"]] == [
        (200, True),
        (200, False),
        (404, None),
    ]
    assert removed.json()["member_count"] == 1
    members = (await client.get(f"/groups/{group['id']}/members")).json()["items"]
    assert [member["id"] for member in members] == [bob["id"]]
    assert (await client.get(f"/contacts/{ada['id']}")).status_code == 200


async def test_request_limits(client: httpx.AsyncClient) -> None:
    group = await new_group(client, "Big")
    url = f"/groups/{group['id']}/members"

    assert (await client.post(url, json={"ids": []})).status_code == 422
    assert (await client.post(url, json={"ids": [MISSING] * 1001})).status_code == 422
    assert (await client.post(url, json={"ids": ["y" * 65]})).status_code == 422
    many = await client.post(url, json={"ids": [f"{i:024x}" for i in range(1000)]})
    assert many.status_code == 200
    assert {r["status"] for r in many.json()["results"]} == {404}


async def test_a_thousand_members_at_once(client: httpx.AsyncClient) -> None:
    group = await new_group(client, "Crowd")
    created = await client.post("/contacts/bulk", json=[{"name": f"m{i:03}"} for i in range(100)])
    ids = [result["id"] for result in created.json()["results"]]

    added = await client.post(f"/groups/{group['id']}/members", json={"ids": ids * 10})

    assert added.status_code == 200
    assert sum(r["changed"] for r in added.json()["results"]) == 100
    assert added.json()["member_count"] == 100


async def test_deleting_and_undeleting_a_member_changes_the_count(client: httpx.AsyncClient) -> None:
    one, two = await new_group(client, "One"), await new_group(client, "Two")
    ada, bob, cyd = [await new_contact(client, name=name) for name in ("Ada", "Bob", "Cyd")]
    for group in (one, two):
        await client.post(f"/groups/{group['id']}/members", json={"ids": [ada["id"], bob["id"], cyd["id"]]})

    assert (await client.delete(f"/contacts/{ada['id']}")).status_code == 204
    assert [await member_count(client, g["id"]) for g in (one, two)] == [2, 2]
    await client.post("/contacts/bulk-delete", json={"ids": [bob["id"], cyd["id"]]})
    assert [await member_count(client, g["id"]) for g in (one, two)] == [0, 0]
    assert (await client.get(f"/groups/{one['id']}/members")).json()["items"] == []

    assert (await client.post(f"/contacts/{ada['id']}/undelete")).status_code == 200
    assert [await member_count(client, g["id"]) for g in (one, two)] == [1, 1]
    members = (await client.get(f"/groups/{two['id']}/members")).json()["items"]
    assert [member["id"] for member in members] == [ada["id"]]


async def test_members_and_the_group_filter_list_like_the_contact_listing(client: httpx.AsyncClient) -> None:
    group = await new_group(client, "Readers")
    names = ["Eve", "Carl", "Dora", "Abe", "Bea"]
    contacts = {name: await new_contact(client, name=name, company="Acme" if name < "C" else "Other") for name in names}
    outsider = await new_contact(client, name="Aaron")
    await client.post(f"/groups/{group['id']}/members", json={"ids": [c["id"] for c in contacts.values()]})

    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {"sort": "name", "limit": 2, "fields": "name"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(f"/groups/{group['id']}/members", params=params)).json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    filtered = await client.get("/contacts", params={"group": group["id"], "company": "acme", "sort": "-name"})
    exported = await client.get("/contacts/export", params={"group": group["id"], "format": "csv"})

    assert seen == sorted(names)
    assert [item["name"] for item in filtered.json()["items"]] == ["Bea", "Abe"]
    assert exported.status_code == 200
    assert exported.text.count("\n") == 1 + len(names)
    assert outsider["name"] not in exported.text
    unknown = await client.get("/contacts", params={"group": MISSING})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["pointer"] == "/group"
