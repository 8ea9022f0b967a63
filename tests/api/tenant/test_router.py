"""The tenant's data as a whole: a complete NDJSON export, and an erasure that must be confirmed and spares keys."""

import logging
from typing import Any

import httpx
import orjson
import pytest

from tests.factories import PROBLEM, new_contact, patch_contact


def lines(response: httpx.Response) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in response.content.splitlines()]


async def test_the_export_has_every_contact_trashed_ones_and_every_version_then_the_counts(
    client: httpx.AsyncClient,
) -> None:
    live = await new_contact(client, name="Live")
    await patch_contact(client, live["id"], {"name": "Live 2"})
    gone = await new_contact(client, name="Gone")
    group = (await client.post("/groups", json={"name": "Kept"})).json()
    await client.post(f"/groups/{group['id']}/members", json={"ids": [live["id"], gone["id"]]})
    assert (await client.delete(f"/contacts/{gone['id']}")).status_code == 204

    response = await client.get("/tenant/export")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    records = lines(response)
    assert records[0]["type"] == "tenant"
    contacts = {record["contact"]["id"]: record["contact"] for record in records if record["type"] == "contact"}
    assert contacts[live["id"]]["name"] == "Live 2"
    assert "deleted_at" not in contacts[live["id"]]
    assert contacts[gone["id"]]["deleted_at"] is not None
    versions = sorted((r["version"]["contact_id"], r["version"]["version"]) for r in records if r["type"] == "version")
    assert versions == sorted([(live["id"], 1), (gone["id"], 1)])
    assert [r["group"]["name"] for r in records if r["type"] == "group"] == ["Kept"]
    assert contacts[live["id"]]["group_ids"] == contacts[gone["id"]]["group_ids"] == [group["id"]]
    assert records[-1] == {"type": "end", "groups": 1, "contacts": 2, "versions": 2}


async def test_erasure_needs_the_tenants_name_then_erases_everything_and_expires_tokens(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    contact = await new_contact(client)
    await patch_contact(client, contact["id"], {"name": "Changed"})
    group = (await client.post("/groups", json={"name": "Gone too"})).json()
    token = (await client.get("/contacts/changes")).json()["sync_token"]

    unconfirmed = await client.delete("/tenant/data")
    wrong = await client.delete("/tenant/data", headers={"Confirm-Erase": "someone-else"})
    assert (await client.get(f"/contacts/{contact['id']}")).status_code == 200
    with caplog.at_level(logging.INFO, logger="api.audit"):
        erased = await client.delete("/tenant/data", headers={"Confirm-Erase": "default"})

    assert (unconfirmed.status_code, wrong.status_code) == (422, 428)
    assert wrong.headers["content-type"] == PROBLEM
    assert "Confirm-Erase" in wrong.json()["detail"]
    assert erased.status_code == 200
    assert erased.json() == {"contacts": 1, "versions": 1, "groups": 1}
    assert (await client.get(f"/contacts/{contact['id']}")).status_code == 404
    assert (await client.get(f"/groups/{group['id']}")).status_code == 404
    assert (await client.get("/contacts/trash")).json()["items"] == []
    assert (await client.get("/contacts/changes", params={"since": token})).status_code == 410
    assert lines(await client.get("/tenant/export"))[-1] == {"type": "end", "groups": 0, "contacts": 0, "versions": 0}
    assert any("tenant erasure finished: tenant=default" in message for message in caplog.messages)


async def test_erasure_leaves_other_tenants_and_the_keys(secured_server: str, tenant_keys: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=secured_server, timeout=10) as http:
        acme = {"authorization": f"Bearer {tenant_keys['acme']}"}
        globex = {"authorization": f"Bearer {tenant_keys['globex']}"}
        theirs = (await http.post("/contacts", json={"name": "Globex's"}, headers=globex)).json()
        await http.post("/contacts", json={"name": "Acme's"}, headers=acme)

        erased = await http.delete("/tenant/data", headers=acme | {"Confirm-Erase": "acme"})
        still_theirs = await http.get(f"/contacts/{theirs['id']}", headers=globex)
        key_still_works = await http.get("/contacts", headers=acme)

    assert erased.json()["contacts"] == 1
    assert still_theirs.status_code == 200
    assert key_still_works.status_code == 200
    assert key_still_works.json()["items"] == []
