"""Authentication: AUTH_REQUIRED=true needs a key on every data route; open mode needs none, on loopback only."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from contextlib import ExitStack

import httpx
import pytest

from api.settings import Settings
from tests.factories import PROBLEM, bearer, contact_payload
from tests.live_server import LiveServer
from tests.paths import REPO_ROOT

PUBLIC = ["/healthz", "/readyz", "/docs", "/redoc", "/openapi.json"]
DATA = [("GET", "/contacts"), ("POST", "/contacts"), ("GET", "/"), ("POST", "/new"), ("POST", "/contacts/bulk")]


@pytest.mark.parametrize(("method", "path"), DATA)
async def test_a_data_route_without_a_key_is_401_with_a_challenge(secured_server: str, method: str, path: str) -> None:
    async with httpx.AsyncClient(base_url=secured_server) as client:
        response = await client.request(method, path, json=contact_payload())

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == 'Bearer realm="contacts"'
    assert response.json()["type"] == "/problems/unauthorized"


@pytest.mark.parametrize("authorization", ["Bearer ck_0123456789abcdef_" + "A" * 43, "Bearer nonsense", "Basic abc"])
async def test_a_wrong_key_is_401(secured_server: str, tenant_keys: dict[str, str], authorization: str) -> None:
    async with httpx.AsyncClient(base_url=secured_server) as client:
        response = await client.get("/contacts", headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="contacts"')


async def test_a_key_acts_for_its_tenant_and_its_quota_is_in_the_headers(
    secured_server: str, tenant_keys: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=secured_server, headers=bearer(tenant_keys["acme"])) as client:
        created = await client.post("/contacts", json=contact_payload())
        listed = await client.get("/contacts")

    assert created.status_code == 201
    assert [item["id"] for item in listed.json()["items"]] == [created.json()["id"]]
    assert int(listed.headers["ratelimit-limit"]) == 1200
    assert int(listed.headers["ratelimit-remaining"]) == 1198
    assert 0 <= int(listed.headers["ratelimit-reset"]) <= 60


async def revoke_and_retry(settings: Settings, key: str, wait: float = 0.0) -> tuple[int, int, int]:
    """Statuses of a request before `key` is revoked (by another process), right after, and `wait` s after the first."""
    assert settings.mongodb_url is not None
    env = os.environ | {"MONGODB_URL": settings.mongodb_url.get_secret_value(), "MONGODB_DB": settings.mongodb_db}
    revoke = [sys.executable, "-m", "api", "keys", "revoke", key.split("_")[1]]
    with LiveServer(settings).running() as url:
        async with httpx.AsyncClient(base_url=url, headers=bearer(key)) as client:
            before = await client.get("/contacts")
            first_answered = time.monotonic()
            await asyncio.to_thread(subprocess.run, revoke, cwd=REPO_ROOT, env=env, check=True, capture_output=True)
            after = await client.get("/contacts")
            assert wait == 0 or time.monotonic() - first_answered < wait, "the revocation took longer than `wait`"
            await asyncio.sleep(max(0.0, first_answered + wait - time.monotonic()))
            later = await client.get("/contacts")
    return before.status_code, after.status_code, later.status_code


@pytest.mark.slow
async def test_with_no_key_cache_a_revoked_key_stops_working_on_the_next_request(
    tenant_keys: dict[str, str], secured_settings: Settings
) -> None:
    settings = secured_settings.model_copy(update={"key_cache_seconds": 0})

    assert await revoke_and_retry(settings, tenant_keys["acme"]) == (200, 401, 401)


@pytest.mark.slow
async def test_a_revoked_key_stops_working_once_the_workers_copy_is_key_cache_seconds_old(
    tenant_keys: dict[str, str], secured_settings: Settings
) -> None:
    # Generous, so that the revoking command (a process of its own) is done well inside it on a busy machine.
    settings = secured_settings.model_copy(update={"key_cache_seconds": 8})

    assert await revoke_and_retry(settings, tenant_keys["acme"], wait=8.3) == (200, 200, 401)


@pytest.mark.parametrize("path", PUBLIC)
async def test_probes_docs_and_the_contract_need_no_key(secured_server: str, path: str) -> None:
    async with httpx.AsyncClient(base_url=secured_server) as client:
        response = await client.get(path)

    assert response.status_code == 200


async def test_open_mode_serves_without_a_key(client: httpx.AsyncClient) -> None:
    response = await client.get("/contacts")

    assert response.status_code == 200
    assert "ratelimit-limit" not in response.headers


@pytest.mark.slow
def test_open_mode_refuses_to_listen_beyond_loopback() -> None:
    env = {name: value for name, value in os.environ.items() if name not in {"AUTH_REQUIRED", "MONGODB_URL"}}
    env |= {"HOST": "0.0.0.0", "MONGODB_URL": "mongodb://127.0.0.1:9"}

    run = subprocess.run(
        [sys.executable, "-m", "api"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert run.returncode != 0
    assert "AUTH_REQUIRED=false" in run.stderr
    assert "loopback" in run.stderr
    assert "Traceback" not in run.stderr


async def test_the_key_is_checked_before_the_body_is_read(secured_server: str) -> None:
    async with httpx.AsyncClient(base_url=secured_server) as client:
        malformed = await client.post("/contacts", content=b"{bad", headers={"content-type": "application/json"})
        waiting = await client.post(
            "/contacts",
            content=b'{"name": "Ada"}',
            headers={"content-type": "application/json", "expect": "100-continue"},
        )

    assert (malformed.status_code, waiting.status_code) == (401, 401)


@pytest.mark.slow
def test_unauthenticated_slow_bodies_do_not_use_up_the_servers_capacity(
    secured_server: str, tenant_keys: dict[str, str]
) -> None:
    host, port = secured_server.removeprefix("http://").split(":")
    answers = []
    with ExitStack() as held:
        for _ in range(300):  # more than MAX_REQUESTS_IN_FLIGHT (256)
            connection = held.enter_context(socket.create_connection((host, int(port)), timeout=10))
            connection.sendall(b"POST /contacts HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{")
            answers.append(connection.recv(64))
        served = httpx.get(f"{secured_server}/contacts", headers=bearer(tenant_keys["acme"]), timeout=10)

    assert all(answer.startswith(b"HTTP/1.1 401") for answer in answers)
    assert served.status_code == 200


async def test_two_authorization_headers_are_400(secured_server: str, tenant_keys: dict[str, str]) -> None:
    headers = [("Authorization", f"Bearer {tenant_keys['acme']}"), ("Authorization", f"Bearer {tenant_keys['globex']}")]
    async with httpx.AsyncClient(base_url=secured_server) as client:
        response = await client.get("/contacts", headers=headers)

    assert response.status_code == 400


async def test_errors_carry_the_quota_too(secured_server: str, tenant_keys: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=secured_server, headers=bearer(tenant_keys["acme"])) as client:
        missing = await client.get("/contacts/0123456789abcdef01234567")
        invalid = await client.post("/contacts", json={"name": ""})

    assert (missing.status_code, invalid.status_code) == (404, 422)
    assert "ratelimit-remaining" in missing.headers
    assert "ratelimit-remaining" in invalid.headers


async def test_open_mode_answers_only_to_localhost(client: httpx.AsyncClient) -> None:
    rebound = await client.get("/", headers={"Host": "attacker.example:8000"})
    local = await client.get("/", headers={"Host": "localhost:8000"})

    assert rebound.status_code == 400
    assert local.status_code == 200
