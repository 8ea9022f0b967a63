"""Request media types: JSON bodies, and merge patches for PATCH."""

import gzip

import httpx
import pytest
from starlette.requests import Request

from api.http.media_types import media_type
from tests.factories import PROBLEM, create_contact


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, ""), ("application/json", "application/json"), ("Application/JSON; charset=utf-8", "application/json")],
)
def test_the_media_type_is_the_header_without_parameters(header: str | None, expected: str) -> None:
    headers = [(b"content-type", header.encode())] if header is not None else []

    assert media_type(Request({"type": "http", "headers": headers})) == expected


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_non_json_body_is_415(client: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}

    response = await client.post("/contacts", content=b'{"name": "Ada"}', headers=headers)

    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM


async def test_patch_must_be_a_merge_patch(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client)).json()

    response = await client.patch(f"/contacts/{created['id']}", json={"company": "X"})

    assert response.status_code == 415
    assert response.headers["accept-patch"] == "application/merge-patch+json"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"content-type": "application/json; charset=utf-16"}, '{"name": "Ada"}'.encode("utf-16")),
        ({"content-type": "application/json; charset=latin-1"}, b'{"name": "Ada"}'),
        ({"content-type": "application/json", "content-encoding": "gzip"}, gzip.compress(b'{"name": "Ada"}', mtime=0)),
        ({"content-type": "application/json", "content-encoding": "br"}, b'{"name": "Ada"}'),
    ],
)
async def test_other_charsets_and_encodings_are_415(
    client: httpx.AsyncClient, headers: dict[str, str], body: bytes
) -> None:
    response = await client.post("/contacts", content=body, headers=headers)

    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM


async def test_utf_8_may_be_named(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/contacts", content=b'{"name": "Ada"}', headers={"content-type": "application/json; charset=UTF-8"}
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    "body", [b'{"name": "Ada", "name": "Eve"}', b'{"name": "Ada", "emails": [{"value": "a@b.co", "value": "c@d.co"}]}']
)
async def test_a_key_repeated_in_one_object_is_400(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/contacts", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert "repeats a key" in response.json()["detail"]
    assert (await client.get("/contacts")).json()["items"] == []
