"""The /contacts resource over real HTTP."""

import re

import httpx
import pytest

from tests.factories import PROBLEM, contact_payload, new_contact, problem_body


async def test_create_returns_201_with_location_and_the_stored_contact(client: httpx.AsyncClient) -> None:
    response = await client.post("/contacts", json=contact_payload(name="  Grace Hopper  "))

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{24}", body["id"])
    assert response.headers["location"] == f"/contacts/{body['id']}"
    assert body["name"] == "Grace Hopper"
    assert body["created_at"] == body["updated_at"]
    assert body["version"] == 1
    assert response.headers["etag"] == '"1"'
    assert "_id" not in body
    assert "tenant" not in body
    assert "search_terms" not in body
    fetched = await client.get(response.headers["location"])
    assert fetched.json() == body


async def test_get_unknown_id_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/contacts/0123456789abcdef01234567")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == problem_body(404, "No contact has this id.", response.headers["x-request-id"])


@pytest.mark.parametrize("contact_id", ["not-an-id", "0123456789ABCDEF01234567", "%7B%22%24gt%22%3A%22%22%7D"])
async def test_get_malformed_id_is_404(client: httpx.AsyncClient, contact_id: str) -> None:
    await new_contact(client)

    response = await client.get(f"/contacts/{contact_id}")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


async def test_unknown_and_server_set_fields_are_422_with_pointers(client: httpx.AsyncClient) -> None:
    payload = contact_payload(nick="Ada", id="0123456789abcdef01234567", version=3, created_at="2020-01-01T00:00:00Z")

    response = await client.post("/contacts", json=payload)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    pointers = {(e["location"], e["pointer"]) for e in problem["errors"]}
    assert pointers == {("body", "/nick"), ("body", "/id"), ("body", "/version"), ("body", "/created_at")}


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        ({}, "/name"),
        ({"name": "   "}, "/name"),
        ({"name": "x" * 201}, "/name"),
        ({"name": "nul\x00byte"}, "/name"),
        ({"name": {"$gt": ""}}, "/name"),
        ({"name": "Ada", "emails": [{"value": "not-an-email"}]}, "/emails/0/value"),
        ({"name": "Ada", "phones": [{"value": "+1 415 555 0100"}, {"value": "call me"}]}, "/phones/1/value"),
        ({"name": "Ada", "tags": ["VIP", "vip"]}, "/tags"),
        ({"name": "Ada", "tags": ["x" * 51]}, "/tags/0"),
        ({"name": "Ada", "tags": [f"t{i}" for i in range(51)]}, "/tags"),
        ({"name": "Ada", "emails": [{"value": "a@example.com", "primary": True}] * 2}, "/emails"),
        ({"name": "Ada", "addresses": [{"country": "XX"}]}, "/addresses/0/country"),
        ({"name": "Ada", "birthday": "1815-13-10"}, "/birthday"),
        ({"name": "Ada", "notes": "x" * 10_001}, "/notes"),
        ({"name": "Ada", "emails": [{"value": {"$gt": ""}}]}, "/emails/0/value"),
    ],
)
async def test_invalid_values_are_422_with_pointer(
    client: httpx.AsyncClient, payload: dict[str, object], pointer: str
) -> None:
    response = await client.post("/contacts", json=payload)

    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == [pointer]


async def test_body_that_is_not_an_object_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/contacts", json=["Ada"])

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == ""
