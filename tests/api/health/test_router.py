"""Liveness and readiness probes."""

from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from embedded import EmbeddedDatabase
from tests.live_server import LiveServer


async def test_healthz_is_200(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_200_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200


@pytest.mark.slow
async def test_readyz_is_503_once_the_database_is_gone(tmp_path: Path) -> None:
    database = EmbeddedDatabase(tmp_path / "gone.sqlite3")
    server = LiveServer(Settings(mongodb_url=database.start(), mongodb_db="readiness"))
    base_url = server.start()
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            assert (await client.get("/readyz")).status_code == 200
            database.stop()

            response = await client.get("/readyz")
            live = await client.get("/healthz")
    finally:
        server.stop()
        database.stop()

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert live.status_code == 200
