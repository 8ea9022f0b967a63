"""Embedded database servers for these tests: the patched one (as the API runs it) and a stock one."""

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient

from embedded import EmbeddedDatabase

type Client = MongoClient[dict[str, Any]]


class StockDatabase(EmbeddedDatabase):
    """`EmbeddedDatabase`, but its child runs stock mongoeco (`tests.embedded.stock_server`)."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tests.embedded.stock_server", str(self.path)]


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Client]]:
    """Clients of a patched and of a stock embedded database, each on its own SQLite file.

    Both children are launched before either is waited for, because each takes seconds to import mongoeco.
    """
    directory = tmp_path_factory.mktemp("embedded")
    patched, stock = EmbeddedDatabase(directory / "patched.sqlite3"), StockDatabase(directory / "stock.sqlite3")
    patched_client: MongoClient[dict[str, Any]]
    stock_client: MongoClient[dict[str, Any]]
    try:
        patched.launch()
        stock.launch()
        with MongoClient(patched.wait_ready()) as patched_client, MongoClient(stock.wait_ready()) as stock_client:
            yield {"patched": patched_client, "stock": stock_client}
    finally:
        patched.stop()
        stock.stop()


@pytest.fixture(scope="session")
def patched(servers: dict[str, Client]) -> Client:
    """A client of the embedded database as the API runs it, with the patches applied."""
    return servers["patched"]


@pytest.fixture(scope="session")
def stock(servers: dict[str, Client]) -> Client:
    """A client of an embedded database running stock mongoeco."""
    return servers["stock"]
