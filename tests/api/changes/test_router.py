"""The change feed over HTTP: full sync in pages, polls that return only what changed, tokens per tenant."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx

from api.settings import Settings
from tests.factories import PROBLEM, create_contact, new_contact, patch_contact
from tests.live_server import LiveServer


async def sync(client: httpx.AsyncClient, since: str = "0", limit: int = 100) -> tuple[list[dict[str, Any]], str]:
    """Follow the feed from `since` to its end; every page, and the last token."""
    pages = []
    while True:
        response = await client.get("/contacts/changes", params={"since": since, "limit": limit})
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        since = page["sync_token"]
        if not page["has_more"]:
            return pages, since


async def test_a_full_sync_pages_through_every_contact_in_order_with_a_token_on_every_page(
    client: httpx.AsyncClient,
) -> None:
    created = [await new_contact(client, name=f"C{number}") for number in range(5)]

    pages, _ = await sync(client, limit=2)

    assert [len(page["changed"]) for page in pages] == [2, 2, 1]
    assert [page["has_more"] for page in pages] == [True, True, False]
    assert [contact for page in pages for contact in page["changed"]] == created
    assert len({page["sync_token"] for page in pages}) == 3


async def test_a_poll_returns_only_what_changed_since_with_tombstones_for_deletions(client: httpx.AsyncClient) -> None:
    kept, changed, gone = [await new_contact(client, name=name) for name in ("Kept", "Changed", "Deleted")]
    _, token = await sync(client)
    patched = (await patch_contact(client, changed["id"], {"company": "New"})).json()
    assert (await client.delete(f"/contacts/{gone['id']}")).status_code == 204
    added = await new_contact(client, name="Added")

    pages, next_token = await sync(client, token)
    again, _ = await sync(client, next_token)

    assert [contact["id"] for contact in pages[0]["changed"]] == [patched["id"], added["id"]]
    assert pages[0]["changed"][0]["company"] == "New"
    assert [tombstone["id"] for tombstone in pages[0]["deleted"]] == [gone["id"]]
    assert again == [{"changed": [], "deleted": [], "sync_token": again[0]["sync_token"], "has_more": False}]
    assert kept["id"] not in {contact["id"] for contact in pages[0]["changed"]}


async def test_a_token_changed_by_hand_is_a_400(client: httpx.AsyncClient) -> None:
    await create_contact(client)
    _, token = await sync(client)
    payload, signature = token.split(".")

    response = await client.get("/contacts/changes", params={"since": payload + "x." + signature})

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert "sync token" in response.json()["detail"]


async def test_another_tenants_token_is_a_400(secured_server: str, tenant_keys: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=secured_server, timeout=10) as http:
        acme = {"authorization": f"Bearer {tenant_keys['acme']}"}
        globex = {"authorization": f"Bearer {tenant_keys['globex']}"}
        token = (await http.get("/contacts/changes", headers=acme)).json()["sync_token"]

        theirs = await http.get("/contacts/changes", params={"since": token}, headers=globex)
        ours = await http.get("/contacts/changes", params={"since": token}, headers=acme)

    assert theirs.status_code == 400
    assert ours.status_code == 200


async def test_an_expired_token_is_a_410_that_says_to_sync_again(settings: Settings) -> None:
    with LiveServer(settings.model_copy(update={"sync_token_ttl": timedelta(seconds=1)})).running() as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            token = (await http.get("/contacts/changes")).json()["sync_token"]
            fresh = await http.get("/contacts/changes", params={"since": token})
            await asyncio.sleep(2.1)
            expired = await http.get("/contacts/changes", params={"since": token})
            restarted = await http.get("/contacts/changes", params={"since": "0"})

    assert fresh.status_code == 200
    assert expired.status_code == 410
    assert expired.headers["content-type"] == PROBLEM
    assert expired.json()["type"] == "/problems/sync-token-expired"
    assert restarted.status_code == 200


async def test_a_token_survives_a_restart_without_a_cursor_secret(settings: Settings) -> None:
    unsigned = settings.model_copy(update={"cursor_secret": None})
    with LiveServer(unsigned).running() as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            await create_contact(http)
            token = (await http.get("/contacts/changes")).json()["sync_token"]
    with LiveServer(unsigned).running() as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            await create_contact(http, name="After the restart")
            after = await http.get("/contacts/changes", params={"since": token})

    assert after.status_code == 200
    assert [contact["name"] for contact in after.json()["changed"]] == ["After the restart"]
