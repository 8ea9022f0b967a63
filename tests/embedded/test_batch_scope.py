"""An insert command checks the catalog and prunes the change outbox once (embedded/patches/batch_scope.py).

The same insert commands (clean, with duplicates that fail in an unordered and in an ordered command, on a
unique and a multikey index) leave the stored documents, the catalog and the change outbox exactly as stock
mongoeco leaves them, on the monkeypatched and the diffed server; and in a traced command each statement that
the transaction needs once runs once.
"""

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pymongo import ASCENDING

from embedded import EmbeddedDatabase
from tests.embedded.conftest import Client, DiffedDatabase, StockDatabase, serving
from tests.embedded.traced_database import traced_insert_command

pytestmark = pytest.mark.slow

COMMANDS: list[tuple[list[dict[str, Any]], bool]] = [
    ([{"_id": f"a{number:02d}", "n": number, "tags": ["x", f"t{number % 3}"]} for number in range(30)], False),
    ([{"_id": "a03", "n": 100}, {"_id": "b01", "n": 101}, {"_id": "b01", "n": 102}, {"_id": "b02", "n": 103}], False),
    ([{"_id": "c01", "n": 200}, {"_id": "a05", "n": 201}, {"_id": "c02", "n": 202}], True),
    ([{"_id": f"d{number:02d}", "n": 300 + number, "code": number} for number in range(12)], False),
]


def run_commands(client: Client) -> list[dict[str, Any]]:
    """The scenario: indexes (one unique, one multikey), then each insert command; the replies."""
    database = client.scoped
    database.items.create_index([("code", ASCENDING)], unique=True, sparse=True)
    database.items.create_index([("tags", ASCENDING), ("_id", ASCENDING)])
    return [
        database.command({"insert": "items", "documents": documents, "ordered": ordered})
        for documents, ordered in COMMANDS
    ]


def file_state(path: Path) -> dict[str, Any]:
    """What the commands left in the file: documents, catalog rows, and the change outbox (without operation ids,
    which are random)."""
    queries = {
        "documents": "SELECT storage_key, document FROM documents WHERE coll_name = 'items' ORDER BY storage_key",
        "collections": "SELECT db_name, coll_name, options_json FROM collections ORDER BY 1, 2",
        "outbox": "SELECT sequence, event_index, kind, payload FROM change_outbox ORDER BY sequence",
        "identities": "SELECT sequence, event_index, event_kind FROM change_outbox_identities ORDER BY sequence",
        "state": "SELECT * FROM change_outbox_state",
        "consumers": "SELECT * FROM change_outbox_consumers",
    }
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return {name: connection.execute(sql).fetchall() for name, sql in queries.items()}


def outcome(database: EmbeddedDatabase) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    with serving(database) as client:
        replies = run_commands(client)
    return replies, file_state(database.path)


@pytest.mark.parametrize("variant", ["patched", "diffed"], ids=["monkeypatch", "upstream-diff"])
def test_insert_commands_leave_the_file_as_stock_does(tmp_path: Path, diffed_site: Path, variant: str) -> None:
    patched = (
        EmbeddedDatabase(tmp_path / "patched.sqlite3")
        if variant == "patched"
        else DiffedDatabase(tmp_path / "diffed.sqlite3", diffed_site)
    )
    replies, state = outcome(patched)
    stock_replies, stock_state = outcome(StockDatabase(tmp_path / "stock.sqlite3"))

    assert [reply["n"] for reply in replies] == [30, 2, 1, 12]
    assert replies == stock_replies
    assert state == stock_state
    assert state["identities"]  # the outbox recorded the inserts, and pruned what no consumer needs


def test_a_command_checks_the_catalog_and_prunes_the_outbox_once(tmp_path: Path) -> None:
    statements = traced_insert_command(tmp_path)

    def count(text: str) -> int:
        return sum(text in statement for statement in statements)

    assert count("INSERT INTO documents") == 20
    assert count("INSERT INTO change_outbox (") == 20
    assert count("PRAGMA main.data_version") == 1
    assert count("SELECT MIN(checkpoint) FROM change_outbox_consumers") == 1  # the pruning, once
    assert count("UPDATE change_outbox_state SET pruned_through") <= 1  # (none while a consumer holds everything)
    assert count("SELECT options_json FROM collections") == 1
    assert count("INSERT OR IGNORE INTO collections") == 1
    assert count("FROM search_indexes") == 1
