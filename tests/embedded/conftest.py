"""Embedded database servers for these tests: the patched one (as the API runs it, and as the upstream diff
patches mongoeco's source) and a stock one."""

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mongoeco
import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from embedded import EmbeddedDatabase
from tests.paths import REPO_ROOT

UPSTREAM_DIFF = REPO_ROOT / "embedded" / "patches" / "mongoeco-4.11.0-perf.diff"

type Client = MongoClient[dict[str, Any]]
type Documents = Collection[dict[str, Any]]


class StockDatabase(EmbeddedDatabase):
    """`EmbeddedDatabase`, but its child runs stock mongoeco (`tests.embedded.stock_server`)."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tests.embedded.stock_server", str(self.path)]


class DiffedDatabase(EmbeddedDatabase):
    """`EmbeddedDatabase`, but its child runs mongoeco as the upstream diff patches it (`diffed_server`)."""

    def __init__(self, path: Path, site: Path) -> None:
        super().__init__(path)
        self.site = site

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tests.embedded.diffed_server", str(self.site), str(self.path)]


@pytest.fixture(scope="session")
def diffed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a copy of the installed mongoeco with the upstream diff applied (it must apply cleanly)."""
    site = tmp_path_factory.mktemp("site")
    assert mongoeco.__file__ is not None
    shutil.copytree(Path(mongoeco.__file__).parent, site / "mongoeco", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "apply", "--check", "-p1", str(UPSTREAM_DIFF)], cwd=site, check=True)
    subprocess.run(["git", "apply", "-p1", str(UPSTREAM_DIFF)], cwd=site, check=True)
    return site


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory, diffed_site: Path) -> Iterator[dict[str, Client]]:
    """Clients of the monkeypatched, the diffed and a stock embedded database, each on its own SQLite file.

    All children are launched before any is waited for, because each takes seconds to import mongoeco.
    """
    directory = tmp_path_factory.mktemp("embedded")
    databases = {
        "patched": EmbeddedDatabase(directory / "patched.sqlite3"),
        "diffed": DiffedDatabase(directory / "diffed.sqlite3", diffed_site),
        "stock": StockDatabase(directory / "stock.sqlite3"),
    }
    with contextlib.ExitStack() as stack:
        for database in databases.values():
            stack.callback(database.stop)
            database.launch()
        clients: dict[str, Client] = {
            name: stack.enter_context(MongoClient(database.wait_ready())) for name, database in databases.items()
        }
        yield clients


@pytest.fixture(scope="session", params=["patched", "diffed"], ids=["monkeypatch", "upstream-diff"])
def patched(servers: dict[str, Client], request: pytest.FixtureRequest) -> Client:
    """A client of the embedded database as the API runs it (patched in memory), and as the upstream diff
    patches mongoeco's source: each test that uses it runs on both."""
    client: Client = servers[request.param]
    return client


@pytest.fixture(scope="session")
def stock(servers: dict[str, Client]) -> Client:
    """A client of an embedded database running stock mongoeco."""
    return servers["stock"]


def load_on_both(
    patched: Client, stock: Client, namespace: tuple[str, str], indexes: list[Any], documents: list[dict[str, Any]]
) -> dict[str, Documents]:
    """The same documents (copies) and indexes in the collection `namespace`, emptied first, on the patched and
    on the stock server: {"patched": ..., "stock": ...}."""
    loaded = {}
    for label, client in (("patched", patched), ("stock", stock)):
        collection = client[namespace[0]][namespace[1]]
        collection.drop()
        for keys in indexes:
            collection.create_index(keys)
        collection.insert_many([dict(document) for document in documents])
        loaded[label] = collection
    return loaded


@contextlib.contextmanager
def serving(database: EmbeddedDatabase) -> Iterator[Client]:
    """A client of `database`, launched for the block and stopped after it."""
    database.launch()
    try:
        client: Client
        with MongoClient(database.wait_ready()) as client:
            yield client
    finally:
        database.stop()
