"""`python -m bench.duplicate_scan [SIZES] [ROUNDS]`: the duplicate finder of a fresh API, at each size.

For each size (e.g. `10k,100k`): an embedded database loaded with that many bench contacts (bench/data.py,
through the driver, as `make bench` loads them), then ROUNDS times a fresh `python -m api` on it (so no worker
has an index yet) and `bench.domain.scan`: the first `GET /contacts/duplicates?limit=50` (a full scan), one
right after a change, and one with nothing changed. Prints one line per round.
"""

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from bench import data, domain
from bench.config import parse_sizes
from bench.runner import API_DB
from bench.services import api_service
from embedded import EmbeddedDatabase


def one_round(uri: str, some_id: str, folder: Path) -> dict[str, Any]:
    """Start an API on the loaded database and time its scans."""
    with api_service(folder / "api.log", uri, API_DB) as service:
        service.wait_ready("/readyz")
        return domain.scan(service.base_url, some_id)


def main() -> None:
    """Load each size, then run the rounds; one line each."""
    sizes = parse_sizes(sys.argv[1]) if len(sys.argv) > 1 else (10_000,)
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    templates = data.contact_templates()
    with (
        tempfile.TemporaryDirectory() as folder,
        EmbeddedDatabase(Path(folder) / "db.sqlite3") as database,
        MongoClient[data.Document](database.uri, tz_aware=True) as client,
    ):
        with api_service(Path(folder) / "api.log", database.uri, API_DB) as service:
            service.wait_ready("/readyz")  # its indexes made before the load, as in `make bench`
        contacts = client[API_DB]["contacts"]
        loader = data.Loader(contacts, data.api_maker(contacts, templates), "api")
        for size in sorted(sizes):
            took = loader.grow_to(size, deadline=time.monotonic() + 3600)
            newest = contacts.find_one({}, {"_id": 1}, sort=[("_id", -1)])
            print(f"{size} contacts loaded in {took:.1f} s", flush=True)
            for _ in range(rounds):
                print(size, one_round(database.uri, str(newest and newest["_id"]), Path(folder)), flush=True)


if __name__ == "__main__":
    main()
