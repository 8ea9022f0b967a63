"""`python -m bench.insert_rate [DOCS] [BATCH] [ROUNDS]`: bare insert_many of the API's contact documents.

Each round starts a fresh embedded database (its child honours WITHOUT_PATCH, see bench/import_rate.py), creates
the contacts collection's indexes, inserts DOCS documents as `api.contacts.writes.insert_many` stores them, BATCH
per `insert_many(ordered=False)`, and prints documents per second.
"""

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from bench import data
from bench.config import REPO_ROOT
from bench.import_rate import site_folder
from bench.services import cpu_seconds
from embedded import EmbeddedDatabase
from models.contact import Contact


def one_round(documents: list[dict[str, Any]], batch: int, folder: Path) -> tuple[float, float]:
    """Documents per second into a fresh database under `folder`, and the database's CPU ms per document."""
    os.environ["PYTHONPATH"] = os.pathsep.join([str(site_folder(folder)), str(REPO_ROOT)])
    with EmbeddedDatabase(folder / "db.sqlite3") as database, MongoClient[dict[str, Any]](database.uri) as client:
        contacts = client.rate.contacts
        contacts.create_indexes(Contact.Settings.indexes)
        child = database._process.pid if database._process else 0
        cpu, started = cpu_seconds(child), time.perf_counter()
        for start in range(0, len(documents), batch):
            contacts.insert_many(documents[start : start + batch], ordered=False)
        seconds, cpu = time.perf_counter() - started, cpu_seconds(child) - cpu
    return len(documents) / seconds, 1000 * cpu / len(documents)


def main() -> None:
    """Run the rounds and print one line each."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    documents = list(data.api_documents(0, count, data.contact_templates()))
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            rate, cpu = one_round([dict(document) for document in documents], batch, Path(folder))
            label = f"without {os.environ['WITHOUT_PATCH']}" if os.environ.get("WITHOUT_PATCH") else "all patches"
            print(f"{label}: {rate:.0f} docs/s, database CPU {cpu:.2f} ms/doc", flush=True)


if __name__ == "__main__":
    main()
