"""Tenancy through HTTP: another tenant's ids, cursors and keys reach nothing, and change nothing."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import bearer, contact_payload

MERGE_PATCH = {"content-type": "application/merge-patch+json"}


@pytest.fixture
async def acme_and_globex(
    secured_server: str, tenant_keys: dict[str, str]
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    clients = {
        tenant: httpx.AsyncClient(base_url=secured_server, headers=bearer(key), timeout=10)
        for tenant, key in tenant_keys.items()
    }
    yield clients
    for client in clients.values():
        await client.aclose()


async def test_another_tenants_contact_is_404_for_every_operation(acme_and_globex: dict[str, Any]) -> None:
    acme, globex = acme_and_globex["acme"], acme_and_globex["globex"]
    created = (await acme.post("/contacts", json=contact_payload(name="Acme Person"))).json()
    url = f"/contacts/{created['id']}"

    answers = [
        await globex.get(url),
        await globex.put(url, json=contact_payload(name="Stolen")),
        await globex.patch(url, json={"name": "Stolen"}, headers=MERGE_PATCH),
        await globex.delete(url),
        await globex.put(url, json=contact_payload(name="Stolen"), headers={"If-Match": '"1"'}),
    ]
    bulk = (await globex.post("/contacts/bulk-delete", json={"ids": [created["id"]]})).json()

    assert [answer.status_code for answer in answers] == [404] * 5
    assert bulk["results"] == [{"status": 404, "id": created["id"], "problem": bulk["results"][0]["problem"]}]
    assert (await acme.get(url)).json() == created


async def test_lists_searches_and_the_seed_routes_show_only_the_tenants_own(acme_and_globex: dict[str, Any]) -> None:
    acme, globex = acme_and_globex["acme"], acme_and_globex["globex"]
    await acme.post("/contacts", json=contact_payload(name="Ada Acme", emails=[{"value": "ada@acme.example"}]))
    await acme.post("/contacts/bulk", json=[{"name": "Bob Acme"}])
    await globex.post("/new", json={"name": "Gus Globex"})

    seen_by_globex = [
        (await globex.get("/contacts")).json()["items"],
        (await globex.get("/contacts", params={"q": "ada"})).json()["items"],
        (await globex.get("/contacts", params={"email": "ada@acme.example"})).json()["items"],
        (await globex.get("/")).json(),
    ]

    assert [[item["name"] for item in found] for found in seen_by_globex] == [["Gus Globex"], [], [], ["Gus Globex"]]
    assert {item["name"] for item in (await acme.get("/")).json()} == {"Ada Acme", "Bob Acme"}


async def test_another_tenants_cursor_is_400(acme_and_globex: dict[str, Any]) -> None:
    acme, globex = acme_and_globex["acme"], acme_and_globex["globex"]
    await acme.post("/contacts/bulk", json=[{"name": f"A{number}"} for number in range(3)])
    cursor = (await acme.get("/contacts", params={"limit": 1})).json()["next_cursor"]

    response = await globex.get("/contacts", params={"limit": 1, "cursor": cursor})

    assert cursor is not None
    assert response.status_code == 400


async def test_idempotency_keys_are_per_tenant(acme_and_globex: dict[str, Any]) -> None:
    acme, globex = acme_and_globex["acme"], acme_and_globex["globex"]
    key = {"Idempotency-Key": "same-key"}

    first = await acme.post("/contacts", json=contact_payload(), headers=key)
    other = await globex.post("/contacts", json=contact_payload(), headers=key)

    assert (first.status_code, other.status_code) == (201, 201)
    assert first.json()["id"] != other.json()["id"]
    assert "idempotent-replayed" not in other.headers


TENANTS = ("acme", "globex")
operation = st.tuples(st.sampled_from(TENANTS), st.sampled_from(["create", "list", "get", "patch", "delete"]))


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(st.tuples(operation, st.integers(min_value=0, max_value=50)), min_size=1, max_size=15))
def test_no_response_ever_shows_the_other_tenants_data(
    secured_server: str, tenant_keys: dict[str, str], operations: list[tuple[tuple[str, str], int]]
) -> None:
    ids: dict[str, list[str]] = {tenant: [] for tenant in TENANTS}
    clients = {
        tenant: httpx.Client(base_url=secured_server, headers=bearer(key)) for tenant, key in tenant_keys.items()
    }
    try:
        for (tenant, action), pick in operations:
            client, every_id = clients[tenant], ids["acme"] + ids["globex"]
            target = f"/contacts/{every_id[pick % len(every_id)]}" if every_id else "/contacts/" + "0" * 24
            if action == "create":
                response = client.post("/contacts", json={"name": f"{tenant} {pick}", "tags": [tenant]})
                ids[tenant].append(response.json()["id"])
            elif action == "list":
                response = client.get("/contacts", params={"limit": 100})
            elif action == "get":
                response = client.get(target)
            elif action == "patch":
                response = client.patch(target, json={"nickname": tenant}, headers=MERGE_PATCH)
            else:
                response = client.delete(target)
                if response.status_code == 204:
                    ids[tenant].remove(target.rsplit("/", 1)[1])
            other = next(name for name in TENANTS if name != tenant)
            assert other not in response.text, (tenant, action, response.text)
            assert response.status_code in (200, 201, 204, 404), response.text
    finally:
        for client in clients.values():
            client.close()
