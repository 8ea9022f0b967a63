"""Bulk create and bulk delete: per-item results in input order."""

import httpx

from tests.factories import contact_payload, create_contact


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
