"""Shared fixtures: a real database server, and the real app served by uvicorn on 127.0.0.1."""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient, MongoClient
from pymongo.database import Database

from api.app import create_app
from api.database import connect, init_models
from api.keys.service import create_key
from api.settings import Settings
from embedded import EmbeddedDatabase
from tests.live_server import LiveServer

# Tests that bind the models in their own loop do not test deadlines; a loaded CI machine must not time them out.
TEST_TIMEOUT = 30.0


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


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """Base URL of a freshly started app with an empty database."""
    with LiveServer(settings).running() as url:
        yield url


@pytest.fixture
async def client(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the live app."""
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        yield http


@pytest.fixture
async def bound_models(settings: Settings) -> AsyncIterator[None]:
    """The document models bound to the test's database in this test's event loop, for repository tests."""
    assert settings.mongodb_url is not None
    client = connect(settings.mongodb_url.get_secret_value(), TEST_TIMEOUT)
    await init_models(client, settings.mongodb_db)
    try:
        yield
    finally:
        await client.close()


@pytest.fixture
async def mongo(settings: Settings) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    """An async client for the test's server, the document models bound to the test's database, in this test's loop."""
    assert settings.mongodb_url is not None
    client: AsyncMongoClient[dict[str, Any]] = connect(settings.mongodb_url.get_secret_value(), TEST_TIMEOUT)
    await init_models(client, settings.mongodb_db)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
def secured_settings(settings: Settings) -> Settings:
    """The test's settings with AUTH_REQUIRED=true."""
    return settings.model_copy(update={"auth_required": True})


@pytest.fixture
def secured_server(secured_settings: Settings, tenant_keys: dict[str, str]) -> Iterator[str]:
    """Base URL of a freshly started app that requires API keys (`tenant_keys` are made first).

    Beanie binds the document classes once per process: the keys are created in the test's event loop
    before the server's lifespan binds the classes to its own. Later changes go through the command line.
    """
    with LiveServer(secured_settings).running() as url:
        yield url


@pytest.fixture
async def tenant_keys(bound_models: None) -> dict[str, str]:
    """An API key for each of two tenants, acme and globex."""
    return {tenant: (await create_key(tenant, "test")).key for tenant in ("acme", "globex")}


@pytest.fixture
def failing_server(settings: Settings) -> Iterator[str]:
    """The app with one extra route, `/boom`, that fails the way a bug would (quoting a secret)."""
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: mongodb://user:password@db")

    with LiveServer(settings, app).running() as url:
        yield url


@pytest.fixture
def on_mongodb(settings: Settings) -> dict[str, str]:
    """The environment that points a command (`tests/cli.py`) at the test's own database server."""
    assert settings.mongodb_url is not None
    return {"MONGODB_URL": settings.mongodb_url.get_secret_value(), "MONGODB_DB": settings.mongodb_db}
