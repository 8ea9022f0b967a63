"""A contact's history over HTTP: every version with what changed, paged, and restoring one."""

import httpx

from tests.factories import PROBLEM, new_contact, patch_contact


async def test_every_change_is_a_version_with_its_merge_patch_newest_first(client: httpx.AsyncClient) -> None:
    created = await new_contact(client, name="Ada", company="Engines")
    await patch_contact(client, created["id"], {"company": None, "nickname": "Countess"})
    await client.put(f"/contacts/{created['id']}", json={"name": "Ada Lovelace", "nickname": "Countess"})

    response = await client.get(f"/contacts/{created['id']}/history")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [(item["version"], item["kind"]) for item in items] == [(3, "updated"), (2, "updated"), (1, "created")]
    assert items[0]["patch"] == {"name": "Ada Lovelace", "emails": []}  # PUT replaces every field
    assert items[1]["patch"] == {"company": None, "nickname": "Countess"}
    assert items[2]["patch"]["name"] == "Ada"
    assert items[2]["patch"]["company"] == "Engines"
    assert all(item["key_id"] is None for item in items)


async def test_history_pages_with_a_cursor_and_covers_a_deleted_contact(client: httpx.AsyncClient) -> None:
    created = await new_contact(client, name="V1")
    for number in range(2, 5):
        await patch_contact(client, created["id"], {"name": f"V{number}"})
    assert (await client.delete(f"/contacts/{created['id']}")).status_code == 204

    first = (await client.get(f"/contacts/{created['id']}/history", params={"limit": 3})).json()
    second = (
        await client.get(f"/contacts/{created['id']}/history", params={"limit": 3, "cursor": first["next_cursor"]})
    ).json()

    assert [item["version"] for item in first["items"]] == [5, 4, 3]
    assert first["items"][0]["kind"] == "deleted"
    assert [item["version"] for item in second["items"]] == [2, 1]
    assert second["next_cursor"] is None


async def test_restore_makes_a_new_version_equal_to_the_old_one_and_honours_if_match(
    client: httpx.AsyncClient,
) -> None:
    created = await new_contact(client, name="Original", company="First Co", tags=["x"])
    await patch_contact(client, created["id"], {"name": "Changed", "company": None, "tags": []})

    stale = await client.post(f"/contacts/{created['id']}/restore", json={"version": 1}, headers={"If-Match": '"1"'})
    restored = await client.post(f"/contacts/{created['id']}/restore", json={"version": 1}, headers={"If-Match": '"2"'})
    missing = await client.post(f"/contacts/{created['id']}/restore", json={"version": 9})

    assert stale.status_code == 412
    assert restored.status_code == 200
    assert restored.headers["etag"] == '"3"'
    body = restored.json()
    assert (body["name"], body["company"], body["tags"], body["version"]) == ("Original", "First Co", ["x"], 3)
    assert missing.status_code == 422
    assert missing.headers["content-type"] == PROBLEM
    assert missing.json()["errors"][0]["pointer"] == "/version"
    history = (await client.get(f"/contacts/{created['id']}/history")).json()["items"]
    assert history[0]["kind"] == "restored"
    assert history[0]["patch"] == {"name": "Original", "company": "First Co", "tags": ["x"]}


async def test_another_tenants_contact_has_no_history(secured_server: str, tenant_keys: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=secured_server, timeout=10) as http:
        acme = {"authorization": f"Bearer {tenant_keys['acme']}"}
        globex = {"authorization": f"Bearer {tenant_keys['globex']}"}
        created = (await http.post("/contacts", json={"name": "Secret"}, headers=acme)).json()

        theirs = await http.get(f"/contacts/{created['id']}/history", headers=globex)
        restore = await http.post(f"/contacts/{created['id']}/restore", json={"version": 1}, headers=globex)
        ours = await http.get(f"/contacts/{created['id']}/history", headers=acme)

    assert (theirs.status_code, restore.status_code) == (404, 404)
    assert ours.json()["items"][0]["key_id"] == tenant_keys["acme"].split("_")[1]
