"""User text never becomes a database operator, a field name or a pattern."""

from typing import Any

import httpx
import pytest

from tests.factories import contact_payload, create_contact, patch_contact


@pytest.mark.parametrize(
    "body",
    [
        {"name": {"$ne": None}},
        {"name": "Ada", "$where": "sleep(1000)"},
        {"name": "Ada", "emails.value": "a@example.com"},
        {"name": "Ada", "tags": [{"$gt": ""}]},
        {"name": "Ada", "addresses": [{"$set": {"tenant": "other"}}]},
        {"name": "Ada", "tenant": "other"},
    ],
)
async def test_operators_and_dotted_or_dollar_keys_in_a_body_are_422(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    created = await client.post("/contacts", json=body)
    patched = await patch_contact(client, (await create_contact(client)).json()["id"], body)

    assert (created.status_code, patched.status_code) == (422, 422)


@pytest.mark.parametrize("text", ["$where", "a.b", '{"$ne": null}', "$regex", ".*"])
async def test_operator_text_is_stored_and_found_as_plain_text(client: httpx.AsyncClient, text: str) -> None:
    created = (await create_contact(client, name=f"x {text}", tags=[text], company=text)).json()
    await create_contact(client, name="Someone Else", company="Other")

    by_company = (await client.get("/contacts", params={"company": text})).json()["items"]
    by_tag = (await client.get("/contacts", params={"tag": text})).json()["items"]
    by_q = (await client.get("/contacts", params={"q": f"x {text}"})).json()["items"]

    assert created["company"] == text
    assert [item["id"] for item in by_company + by_tag + by_q] == [created["id"]] * 3


@pytest.mark.parametrize(
    "params", [{"email[$ne]": "x"}, {"sort[$gt]": ""}, {"fields": "$where"}, {"limit": '{"$gt": 0}'}]
)
async def test_operator_shaped_query_parameters_match_nothing_or_are_refused(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    await create_contact(client)

    response = await client.get("/contacts", params=params)

    assert response.status_code in (200, 400, 422)
    if response.status_code == 200:
        assert len(response.json()["items"]) == 1  # the unknown parameter was ignored, not applied


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
async def test_dates_out_of_range_are_422(client: httpx.AsyncClient, since: str) -> None:
    response = await client.get("/contacts", params={"updated_since": since})

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/updated_since"


async def test_a_contact_cannot_be_moved_to_another_tenant_by_its_fields(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client)).json()

    replaced = await client.put(f"/contacts/{created['id']}", json=contact_payload() | {"tenant": "other"})

    assert replaced.status_code == 422


async def test_a_blank_search_is_422_not_a_walk_through_everything(client: httpx.AsyncClient) -> None:
    for q in (" ", "\t", "\u3000"):
        assert (await client.get("/contacts", params={"q": q})).status_code == 422


async def test_an_if_match_with_too_many_tags_is_400(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client)).json()
    tags = ", ".join(f'"{number}"' for number in range(500))

    response = await client.delete(f"/contacts/{created['id']}", headers={"If-Match": tags})

    assert response.status_code == 400
    assert (await client.get(f"/contacts/{created['id']}")).status_code == 200


async def test_a_trailing_slash_is_not_redirected(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client)).json()

    response = await client.get(f"/contacts/{created['id']}/", headers={"Host": "localhost"})

    assert response.status_code == 404
    assert "location" not in response.headers


@pytest.mark.parametrize(
    "body", [b'{"name": "\xff"}', b"[" * 100_000 + b"]" * 100_000, b'{"name": "Ada", "n": ' + b"9" * 5000 + b"}"]
)
async def test_unparseable_json_is_a_malformed_request(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/contacts", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.json()["type"] == "/problems/malformed-request"
