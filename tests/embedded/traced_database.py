"""The embedded database with its SQL traced to a file (`tests.embedded.traced_server`), for the plan audits."""

import sys
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from embedded import EmbeddedDatabase


class TracedDatabase(EmbeddedDatabase):
    """`EmbeddedDatabase` whose child (`tests.embedded.traced_server`) appends its SQL to `trace`."""

    def __init__(self, path: Path, trace: Path) -> None:
        super().__init__(path)
        self.trace = trace
        trace.touch()

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tests.embedded.traced_server", str(self.path), str(self.trace)]


def traced_insert_command(folder: Path, documents: int = 20) -> list[str]:
    """The SQL of one unordered `insert` command of `documents` documents into a collection that holds one
    already, on a traced embedded database in `folder`."""
    database = TracedDatabase(folder / "traced.sqlite3", folder / "trace.sql")
    with database, MongoClient[dict[str, Any]](database.uri) as client:
        collection = client.traced.documents
        collection.insert_one({"_id": "first"})
        database.trace.write_text("")
        collection.insert_many([{"_id": f"id-{number}", "n": number} for number in range(documents)], ordered=False)
        return database.trace.read_text().splitlines()
