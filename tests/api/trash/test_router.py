"""The trash over HTTP: deleted contacts are listed and can be undeleted within the retention window."""

import asyncio
from datetime import timedelta

import httpx

from api.settings import Settings
from tests.factories import new_contact
from tests.live_server import LiveServer


async def test_a_deleted_contact_is_in_the_trash_until_undeleted(client: httpx.AsyncClient) -> None:
    kept = await new_contact(client, name="Kept")
    gone = await new_contact(client, name="Gone")
    assert (await client.delete(f"/contacts/{gone['id']}")).status_code == 204

    trash = (await client.get("/contacts/trash")).json()
    hidden = await client.get(f"/contacts/{gone['id']}")
    listed = (await client.get("/contacts")).json()["items"]
    stale = await client.post(f"/contacts/{gone['id']}/undelete", headers={"If-Match": '"1"'})
    back = await client.post(f"/contacts/{gone['id']}/undelete", headers={"If-Match": '"2"'})
    again = await client.post(f"/contacts/{gone['id']}/undelete")

    assert [(item["id"], item["version"]) for item in trash["items"]] == [(gone["id"], 2)]
    assert trash["items"][0]["deleted_at"] is not None
    assert hidden.status_code == 404
    assert [item["id"] for item in listed] == [kept["id"]]
    assert stale.status_code == 412
    assert back.status_code == 200
    assert (back.json()["name"], back.json()["version"], back.headers["etag"]) == ("Gone", 3, '"3"')
    assert again.status_code == 404
    assert (await client.get(f"/contacts/{gone['id']}")).status_code == 200
    assert (await client.get("/contacts/trash")).json()["items"] == []


async def test_the_trash_pages_most_recently_deleted_first(client: httpx.AsyncClient) -> None:
    ids = [(await new_contact(client, name=f"T{number}"))["id"] for number in range(3)]
    for contact_id in ids:
        assert (await client.delete(f"/contacts/{contact_id}")).status_code == 204

    first = (await client.get("/contacts/trash", params={"limit": 2})).json()
    second = (await client.get("/contacts/trash", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    forged = await client.get("/contacts/trash", params={"cursor": first["next_cursor"] + "x"})

    assert [item["id"] for item in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    assert forged.status_code == 400


async def test_bulk_delete_moves_contacts_to_the_trash_and_the_feed_shows_tombstones(
    client: httpx.AsyncClient,
) -> None:
    ids = [(await new_contact(client, name=f"B{number}"))["id"] for number in range(3)]
    token = (await client.get("/contacts/changes")).json()["sync_token"]

    result = await client.post("/contacts/bulk-delete", json={"ids": ids[:2]})
    changes = (await client.get("/contacts/changes", params={"since": token})).json()

    assert [item["status"] for item in result.json()["results"]] == [204, 204]
    assert sorted(tombstone["id"] for tombstone in changes["deleted"]) == sorted(ids[:2])
    assert {item["id"] for item in (await client.get("/contacts/trash")).json()["items"]} == set(ids[:2])


async def test_each_worker_purges_the_expired_trash_every_maintenance_interval(settings: Settings) -> None:
    purging = {"trash_retention": timedelta(seconds=1), "maintenance_interval": 0.3}
    with LiveServer(settings.model_copy(update=purging)).running() as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            gone = await new_contact(http, name="Purged")
            assert (await http.delete(f"/contacts/{gone['id']}")).status_code == 204
            await asyncio.sleep(2)
            history = await http.get(f"/contacts/{gone['id']}/history")

    assert history.status_code == 404  # the contact and its history are gone for good
