"""Groups as a resource: create, read, list by name, rename, delete; names unique ignoring case."""

from typing import Any

import httpx

from tests.factories import PROBLEM, new_contact

MERGE = {"Content-Type": "application/merge-patch+json"}


async def new_group(client: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    response = await client.post("/groups", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    group: dict[str, Any] = response.json()
    return group


async def test_create_then_get_a_group(client: httpx.AsyncClient) -> None:
    response = await client.post("/groups", json={"name": "  Book club ", "description": "Tuesdays"})

    assert response.status_code == 201
    group = response.json()
    assert response.headers["location"] == f"/groups/{group['id']}"
    assert response.headers["etag"] == '"1"'
    assert {key: group[key] for key in ("name", "description", "member_count", "version")} == {
        "name": "Book club",
        "description": "Tuesdays",
        "member_count": 0,
        "version": 1,
    }
    fetched = await client.get(f"/groups/{group['id']}")
    assert fetched.json() == group
    assert (await client.get(f"/groups/{group['id']}", headers={"If-None-Match": '"1"'})).status_code == 304


async def test_names_are_unique_ignoring_case_per_tenant(client: httpx.AsyncClient) -> None:
    await new_group(client, "Family")
    other = await new_group(client, "Friends")

    taken = await client.post("/groups", json={"name": "FAMILY"})
    renamed = await client.patch(f"/groups/{other['id']}", json={"name": "family"}, headers=MERGE)

    for response in (taken, renamed):
        assert response.status_code == 409
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"] == "/problems/group-name-taken"
    assert (await client.get(f"/groups/{other['id']}")).json()["name"] == "Friends"


async def test_bad_bodies_are_422(client: httpx.AsyncClient) -> None:
    group = await new_group(client, "Work")

    for body in ({}, {"name": ""}, {"name": "x" * 201}, {"name": "ok", "bogus": 1}, {"name": "a\x00b"}):
        assert (await client.post("/groups", json=body)).status_code == 422, body
    for patch in ({"name": None}, {"name": " "}, {"bogus": 1}):
        assert (await client.patch(f"/groups/{group['id']}", json=patch, headers=MERGE)).status_code == 422, patch


async def test_patch_renames_and_clears_the_description_conditionally(client: httpx.AsyncClient) -> None:
    group = await new_group(client, "Team", description="Old")

    stale = await client.patch(f"/groups/{group['id']}", json={"name": "Crew"}, headers=MERGE | {"If-Match": '"7"'})
    changed = await client.patch(
        f"/groups/{group['id']}", json={"name": "Crew", "description": None}, headers=MERGE | {"If-Match": '"1"'}
    )

    assert stale.status_code == 412
    assert changed.status_code == 200
    assert changed.headers["etag"] == '"2"'
    assert {key: changed.json()[key] for key in ("name", "description", "version")} == {
        "name": "Crew",
        "description": None,
        "version": 2,
    }


async def test_list_is_by_name_ignoring_case_and_paged(client: httpx.AsyncClient) -> None:
    for name in ("delta", "Alpha", "charlie", "Bravo", "echo"):
        await new_group(client, name)

    names, cursor = [], None
    while True:
        response = await client.get("/groups", params={"limit": 2} | ({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200
        names += [group["name"] for group in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break

    assert names == ["Alpha", "Bravo", "charlie", "delta", "echo"]
    assert (await client.get("/groups", params={"cursor": "forged"})).status_code == 400


async def test_deleting_a_group_leaves_its_contacts(client: httpx.AsyncClient) -> None:
    group = await new_group(client, "Doomed")
    member = await new_contact(client, name="Stays")
    await client.post(f"/groups/{group['id']}/members", json={"ids": [member["id"]]})

    assert (await client.delete(f"/groups/{group['id']}", headers={"If-Match": '"1"'})).status_code == 412
    assert (await client.delete(f"/groups/{group['id']}")).status_code == 204

    assert (await client.get(f"/groups/{group['id']}")).status_code == 404
    contact = await client.get(f"/contacts/{member['id']}")
    assert contact.status_code == 200
    assert contact.json()["version"] == member["version"]
    assert (await client.get("/contacts", params={"group": group["id"]})).status_code == 422
    assert (await new_group(client, "doomed"))["name"] == "doomed"  # the name is free again


async def test_unknown_and_malformed_ids(client: httpx.AsyncClient) -> None:
    missing = "0123456789abcdef01234567"

    assert (await client.get(f"/groups/{missing}")).status_code == 404
    assert (await client.get("/groups/not-an-id")).status_code in (404, 422)
    assert (await client.delete(f"/groups/{missing}")).status_code == 404
    assert (await client.post(f"/groups/{missing}/members", json={"ids": [missing]})).status_code == 404
    assert (await client.get(f"/groups/{missing}/members")).status_code == 404


async def test_a_tenant_sees_and_changes_only_its_own_groups_and_contacts(
    secured_server: str, tenant_keys: dict[str, str]
) -> None:
    acme = {"authorization": f"Bearer {tenant_keys['acme']}"}
    globex = {"authorization": f"Bearer {tenant_keys['globex']}"}
    async with httpx.AsyncClient(base_url=secured_server, timeout=10) as http:
        ours = (await http.post("/groups", json={"name": "Shared name"}, headers=acme)).json()
        theirs = await http.post("/groups", json={"name": "shared NAME"}, headers=globex)  # names are per tenant
        their_contact = (await http.post("/contacts", json={"name": "Globex's"}, headers=globex)).json()

        peek = await http.get(f"/groups/{ours['id']}", headers=globex)
        listed = (await http.get("/groups", headers=globex)).json()["items"]
        steal = await http.post(f"/groups/{ours['id']}/members", json={"ids": [their_contact["id"]]}, headers=globex)
        borrow = await http.post(f"/groups/{ours['id']}/members", json={"ids": [their_contact["id"]]}, headers=acme)
        filtered = await http.get("/contacts", params={"group": ours["id"]}, headers=globex)

    assert theirs.status_code == 201
    assert peek.status_code == 404
    assert [group["id"] for group in listed] == [theirs.json()["id"]]
    assert steal.status_code == 404
    assert [(r["status"], r["id"]) for r in borrow.json()["results"]] == [(404, their_contact["id"])]
    assert borrow.json()["member_count"] == 0
    assert filtered.status_code == 422
