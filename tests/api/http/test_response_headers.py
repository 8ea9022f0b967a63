"""Security headers on every response, HEAD on every GET route, and CORS only for allowed origins."""

import httpx
import pytest

from api.settings import Settings
from tests.factories import create_contact
from tests.live_server import LiveServer


@pytest.mark.parametrize("path", ["/contacts", "/contacts/0123456789abcdef01234567", "/healthz", "/no/such/route"])
async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_docs_keep_their_own_content_security_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")

    assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/contacts", "/", "/healthz", "/openapi.json"])
async def test_head_answers_like_get_without_a_body(client: httpx.AsyncClient, path: str) -> None:
    await create_contact(client)

    got, head = await client.get(path), await client.head(path)

    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]


async def test_head_on_a_contact_carries_its_etag(client: httpx.AsyncClient) -> None:
    created = await create_contact(client)

    head = await client.head(created.headers["location"])

    assert head.headers["etag"] == '"1"'


async def test_cors_is_off_unless_origins_are_allowed(client: httpx.AsyncClient, settings: Settings) -> None:
    origin = {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
    closed = await client.options("/contacts", headers=origin)
    server = LiveServer(settings.model_copy(update={"cors_allow_origins": ("https://app.example",)}))
    async with httpx.AsyncClient(base_url=server.start()) as allowed_client:
        try:
            opened = await allowed_client.options("/contacts", headers=origin)
            other = await allowed_client.get("/contacts", headers={"Origin": "https://evil.example"})
        finally:
            server.stop()

    assert "access-control-allow-origin" not in closed.headers
    assert opened.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in other.headers
