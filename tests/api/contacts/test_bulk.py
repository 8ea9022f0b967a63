"""Bulk create and bulk delete: per-item results in input order."""

import httpx

from api.settings import Settings
from tests.factories import bearer, contact_payload, create_contact, new_contact
from tests.live_server import LiveServer


async def test_bulk_create_reports_each_item_in_order_and_keeps_the_good_ones(client: httpx.AsyncClient) -> None:
    items = [contact_payload(name="One"), {"name": ""}, contact_payload(name="Three", bogus=1), {"name": "Four"}]

    response = await client.post("/contacts/bulk", json=items)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 422, 422, 201]
    assert results[1]["problem"]["errors"][0]["pointer"] == "/name"
    assert results[2]["problem"]["errors"][0]["pointer"] == "/bogus"
    assert "id" not in results[1]
    assert "problem" not in results[0]
    for result, name in ((results[0], "One"), (results[3], "Four")):
        assert (await client.get(f"/contacts/{result['id']}")).json()["name"] == name


async def test_bulk_create_limits(client: httpx.AsyncClient) -> None:
    empty = await client.post("/contacts/bulk", json=[])
    too_many = await client.post("/contacts/bulk", json=[{"name": f"c{i}"} for i in range(101)])
    not_objects = await client.post("/contacts/bulk", json=["Ada"])
    just_enough = await client.post("/contacts/bulk", json=[{"name": f"c{i}"} for i in range(100)])

    assert [empty.status_code, too_many.status_code, not_objects.status_code] == [422, 422, 422]
    assert just_enough.status_code == 200
    assert all(r["status"] == 201 for r in just_enough.json()["results"])


async def test_bulk_delete_reports_each_id(client: httpx.AsyncClient) -> None:
    keep = (await create_contact(client, name="Keep")).json()["id"]
    gone = (await create_contact(client, name="Gone")).json()["id"]

    response = await client.post("/contacts/bulk-delete", json={"ids": [gone, "0123456789abcdef01234567", "not-an-id"]})

    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == [204, 404, 404]
    assert response.json()["results"][1]["problem"]["status"] == 404
    assert (await client.get(f"/contacts/{gone}")).status_code == 404
    assert (await client.get(f"/contacts/{keep}")).status_code == 200


async def test_bulk_delete_limits(client: httpx.AsyncClient) -> None:
    assert (await client.post("/contacts/bulk-delete", json={"ids": []})).status_code == 422
    assert (await client.post("/contacts/bulk-delete", json={"ids": ["x"] * 101})).status_code == 422
    assert (await client.post("/contacts/bulk-delete", json={"ids": [{"$gt": ""}]})).status_code == 422


async def test_bulk_update_gives_each_change_the_status_its_patch_would_have_had(client: httpx.AsyncClient) -> None:
    ada = await new_contact(client, name="Ada", company="Analytical")
    grace = await new_contact(client, name="Grace")
    items = [
        {"id": ada["id"], "patch": {"company": "Babbage & Co", "nickname": "Countess"}, "if_match": '"1"'},
        {"id": grace["id"], "patch": {"tags": ["navy"]}, "if_match": '"7"'},
        {"id": grace["id"], "patch": {"name": ""}},
        {"id": "0123456789abcdef01234567", "patch": {"name": "Nobody"}},
        {"id": "not-an-id", "patch": {"name": "Nobody"}},
        {"id": grace["id"], "patch": {"tags": ["navy"]}, "if_match": ", ".join(['"1"'] * 40)},
        {"id": ada["id"], "patch": {"company": None}, "if_match": '"2"'},
    ]

    response = await client.post("/contacts/bulk-update", json=items)

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == [200, 412, 422, 404, 404, 400, 200]
    assert results[0] == {"status": 200, "id": ada["id"], "etag": '"2"'}
    assert results[2]["problem"]["errors"][0]["pointer"] == "/name"
    assert results[6]["etag"] == '"3"'  # the second change of Ada saw the first
    stored = await client.get(f"/contacts/{ada['id']}")
    assert stored.headers["etag"] == '"3"'
    assert stored.json()["nickname"] == "Countess"
    assert stored.json()["company"] is None
    untouched = await client.get(f"/contacts/{grace['id']}")
    assert (untouched.json()["version"], untouched.json()["tags"]) == (1, [])


async def test_bulk_update_keeps_history_and_the_change_feed_per_item(client: httpx.AsyncClient) -> None:
    contact = await new_contact(client, name="Linus")
    token = (await client.get("/contacts/changes")).json()["sync_token"]

    await client.post("/contacts/bulk-update", json=[{"id": contact["id"], "patch": {"nickname": "Penguin"}}])

    history = (await client.get(f"/contacts/{contact['id']}/history")).json()["items"]
    assert history[0]["patch"] == {"nickname": "Penguin"}
    changes = (await client.get("/contacts/changes", params={"since": token})).json()
    assert [changed["nickname"] for changed in changes["changed"]] == ["Penguin"]


async def test_bulk_update_limits(client: httpx.AsyncClient) -> None:
    item = {"id": "0123456789abcdef01234567", "patch": {}}
    assert (await client.post("/contacts/bulk-update", json=[])).status_code == 422
    assert (await client.post("/contacts/bulk-update", json=[item] * 101)).status_code == 422
    assert (await client.post("/contacts/bulk-update", json=[item | {"extra": 1}])).status_code == 422
    assert (await client.post("/contacts/bulk-update", json=[{"id": item["id"], "patch": ["x"]}])).status_code == 422
    assert (await client.post("/contacts/bulk-update", json=[{"id": {"$gt": ""}, "patch": {}}])).status_code == 422
    just_enough = await client.post("/contacts/bulk-update", json=[item] * 100)
    assert [r["status"] for r in just_enough.json()["results"]] == [404] * 100


async def test_bulk_update_needs_if_match_per_item_when_the_service_requires_it(settings: Settings) -> None:
    with LiveServer(settings.model_copy(update={"require_if_match": True})).running() as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            contact = (await http.post("/contacts", json={"name": "Ken"})).json()
            items = [
                {"id": contact["id"], "patch": {"nickname": "K"}},
                {"id": contact["id"], "patch": {}, "if_match": "*"},
            ]
            results = (await http.post("/contacts/bulk-update", json=items)).json()["results"]
    assert [r["status"] for r in results] == [428, 200]


async def test_bulk_update_never_reaches_another_tenants_contacts(
    secured_server: str, tenant_keys: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=secured_server, timeout=10) as http:
        acme, globex = bearer(tenant_keys["acme"]), bearer(tenant_keys["globex"])
        theirs = (await http.post("/contacts", json={"name": "Secret"}, headers=acme)).json()
        attempt = await http.post(
            "/contacts/bulk-update", json=[{"id": theirs["id"], "patch": {"name": "Mine"}}], headers=globex
        )
        stored = await http.get(f"/contacts/{theirs['id']}", headers=acme)
    assert attempt.json()["results"][0]["status"] == 404
    assert stored.json()["name"] == "Secret"
