"""Shared fixtures: a real database server, and the real app served by uvicorn on 127.0.0.1."""

import os
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from pymongo import MongoClient
from pymongo.database import Database

from api.app import create_app
from api.settings import Settings
from embedded import EmbeddedDatabase


@pytest.fixture(scope="session")
def mongodb_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """TEST_MONGODB_URL when set (a real MongoDB), else an embedded server on a temp SQLite file."""
    if url := os.environ.get("TEST_MONGODB_URL"):
        yield url
        return
    with EmbeddedDatabase(tmp_path_factory.mktemp("db") / "test.sqlite3") as database:
        yield database.uri


@pytest.fixture
def settings(mongodb_url: str) -> Iterator[Settings]:
    """Settings for one test, with a database of its own that is dropped afterwards."""
    database = f"test_{uuid.uuid4().hex[:12]}"
    yield Settings(mongodb_url=mongodb_url, mongodb_db=database, cursor_secret="test-cursor-secret")
    client: MongoClient[dict[str, object]]
    with MongoClient(mongodb_url) as client:
        client.drop_database(database)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database[dict[str, Any]]]:
    """Direct access to the test's database (synchronous driver: the app's loop is another thread's)."""
    assert settings.mongodb_url is not None
    client: MongoClient[dict[str, Any]]
    with MongoClient(settings.mongodb_url.get_secret_value(), tz_aware=True) as client:
        yield client[settings.mongodb_db]


class LiveServer:
    """The app under uvicorn (uvloop + httptools) in a background thread, on a free loopback port."""

    def __init__(self, settings: Settings) -> None:
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=0, loop="uvloop", http="httptools", log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> str:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the app failed to start")
            self.thread.join(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """Base URL of a freshly started app with an empty database."""
    server = LiveServer(settings)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
async def client(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the live app."""
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        yield http
