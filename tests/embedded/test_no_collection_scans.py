"""No API request makes the embedded database read the whole collection.

The API runs on an embedded database child that logs every SQL statement (`traced_server`). For each
request, every statement that reads `documents` is explained with SQLite's own planner, on the same file.
A plan that seeks on nothing but the namespace (`db_name`, `coll_name`), or scans the table, reads every
document of the collection: its cost grows with the data, which is what the mongoeco patches remove.
SQLite plans without statistics, so the plan does not depend on how many contacts the test stores.
"""

import contextlib
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.settings import Settings
from embedded.patches import ID_INDEX
from tests.embedded.traced_database import TracedDatabase
from tests.live_server import LiveServer

pytestmark = pytest.mark.slow

CONTACTS = 40
# A plan line that reads `documents` must seek on more than the namespace.
_SEEKS_PAST_NAMESPACE = re.compile(r"^SEARCH documents USING .*\(db_name=\? AND coll_name=\? AND [^)]+\)")
_READS_DOCUMENTS = re.compile(r"\b(?:FROM|UPDATE) documents\b")


@dataclass
class Audit:
    """The live API on a traced database, and what a request cost in SQL."""

    http: httpx.Client
    database: TracedDatabase
    ids: list[str]
    cursor: str
    sync_token: str
    group: str

    def plans(self, method: str, url: str, **kwargs: Any) -> list[tuple[str, str]]:
        """Make one request; return (statement, plan line) for each statement on `documents` that it ran."""
        self.database.trace.write_text("")
        names = {"id": self.ids[0], "other": self.ids[1], "cursor": self.cursor, "token": self.sync_token}
        response = self.http.request(method, url.format(**names, group=self.group), **kwargs)
        assert response.status_code < 400, response.text
        statements = [line for line in self.database.trace.read_text().splitlines() if _READS_DOCUMENTS.search(line)]
        assert statements, "the trace recorded no statement on documents"
        with contextlib.closing(sqlite3.connect(self.database.path)) as connection:
            return [
                (statement, plan)
                for statement in statements
                for *_, plan in connection.execute("EXPLAIN QUERY PLAN " + statement).fetchall()
                if "documents" in plan
            ]

    def collection_reads(self, method: str, url: str, **kwargs: Any) -> list[str]:
        """Make one request; return each plan line of its SQL that reads the whole collection."""
        return [
            f"{plan}  <-  {statement[:300]}"
            for statement, plan in self.plans(method, url, **kwargs)
            if not _SEEKS_PAST_NAMESPACE.match(plan)
        ]


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audit]:
    directory = tmp_path_factory.mktemp("traced")
    database = TracedDatabase(directory / "audit.sqlite3", directory / "trace.sql")
    uri = database.start()
    # The webhook worker's round (every subscription, every WEBHOOK_INTERVAL) runs beside the requests and is no
    # request's cost: here it runs once, at the start.
    settings = Settings(mongodb_url=uri, mongodb_db="audit", cursor_secret="audit-cursor-secret", webhook_interval=60)
    server = LiveServer(settings)
    try:
        with httpx.Client(base_url=server.start(), timeout=30) as http:
            for number in range(CONTACTS):
                contact = {
                    "name": f"Person {number}",
                    "company": ("Acme", "Bell Labs")[number % 2],
                    "tags": ["vip"] if number % 3 == 0 else [],
                    "emails": [{"value": f"person{number}@example.com"}],
                    "phones": [{"value": f"+1 415 555 {number:04d}"}],
                }
                assert http.post("/contacts", json=contact).status_code == 201
            first = http.get("/contacts", params={"limit": 5}).json()
            ids = [item["id"] for item in first["items"]]
            token = http.get("/contacts/changes").json()["sync_token"]
            group = http.post("/groups", json={"name": "Audited"}).json()["id"]
            assert http.post(f"/groups/{group}/members", json={"ids": ids}).status_code == 200
            yield Audit(http, database, ids, first["next_cursor"], token, group)
    finally:
        server.stop()
        database.stop()


MERGE_PATCH = {"headers": {"content-type": "application/merge-patch+json"}}
# Each write is followed by reads: every write drops the engine's cached "does any document ...?" answers,
# and the next read probes again.
REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/contacts/{id}", {}),
    ("GET", "/contacts", {}),
    ("GET", "/contacts?limit=5&cursor={cursor}", {}),
    *[("GET", f"/contacts?sort={sort}", {}) for sort in ("-created_at", "updated_at", "-updated_at", "name", "-name")],
    ("GET", "/contacts?tag=vip&sort=name", {}),
    ("GET", "/contacts?company=acme&sort=-updated_at", {}),
    ("GET", "/contacts?email=person3@example.com", {}),
    ("GET", "/contacts?updated_since=2020-01-01T00:00:00Z", {}),
    ("GET", "/contacts?q=pers", {}),
    ("PATCH", "/contacts/{id}", {"json": {"nickname": "Patched"}, **MERGE_PATCH}),
    ("GET", "/contacts", {}),
    ("GET", "/contacts/{id}", {}),
    ("POST", "/contacts", {"json": {"name": "Created"}}),
    ("GET", "/contacts?sort=name", {}),
    ("PUT", "/contacts/{id}", {"json": {"name": "Replaced"}}),
    ("GET", "/contacts?sort=-updated_at", {}),
    ("POST", "/contacts", {"json": {"name": "Once"}, "headers": {"idempotency-key": "audit-1"}}),
    ("POST", "/contacts", {"json": {"name": "Once"}, "headers": {"idempotency-key": "audit-1"}}),
    ("POST", "/new", {"json": {"name": "Seed", "email": "seed@example.com"}}),
    ("GET", "/", {}),
    ("DELETE", "/contacts/{other}", {}),
    ("GET", "/contacts?q=pers", {}),
    # The change feed, history, trash and files: each reads by (owner, seq), (tenant, deleted_at) or the list's
    # own indexes, whatever the tenant holds.
    ("GET", "/contacts/changes?limit=5", {}),
    ("GET", "/contacts/changes?since={token}", {}),
    ("GET", "/contacts/{id}/history", {}),
    ("GET", "/contacts/trash", {}),
    ("GET", "/contacts/export?format=vcf", {}),
    ("GET", "/contacts/export?format=csv&tag=vip", {}),
    ("GET", "/contacts?limit=5", {"headers": {"accept": "text/vcard"}}),
    ("GET", "/tenant/export", {}),
    # Groups: by (tenant, name_key); members by (tenant, group_ids, <sort>, _id). Deleting {other} above took it
    # out of the group's count.
    ("GET", "/groups", {}),
    ("GET", "/groups/{group}", {}),
    ("GET", "/groups/{group}/members?sort=name", {}),
    ("GET", "/contacts?group={group}&sort=-updated_at", {}),
    ("GET", "/contacts?group={group}&tag=vip", {}),
    ("PATCH", "/groups/{group}", {"json": {"name": "Renamed"}, **MERGE_PATCH}),
    # The duplicate finder: its first read walks the tenant by (owner, seq), then the feed; a page fetches its
    # contacts by id (an `$or` of ids: each one seeked).
    ("GET", "/contacts/duplicates", {}),
    ("PATCH", "/contacts/{id}", {"json": {"nickname": "Again"}, **MERGE_PATCH}),
    ("GET", "/contacts/duplicates?limit=5", {}),
]


@pytest.mark.parametrize(
    ("method", "url", "options"), REQUESTS, ids=[f"{n:02d} {m} {u}" for n, (m, u, _) in enumerate(REQUESTS)]
)
def test_request_never_reads_the_whole_collection(audit: Audit, method: str, url: str, options: dict[str, Any]) -> None:
    assert audit.collection_reads(method, url, **options) == []


def test_a_contact_is_read_through_the_id_index_not_the_tenant_index(audit: Audit) -> None:
    # The tenant's indexes match every contact of the tenant; `_id` is unique.
    reads = [
        plan for statement, plan in audit.plans("GET", "/contacts/{id}") if statement.startswith("SELECT document")
    ]
    assert reads
    assert all(f"USING INDEX {ID_INDEX} " in plan for plan in reads), reads


def test_phone_filter_never_reads_the_whole_collection(audit: Audit) -> None:
    assert audit.collection_reads("GET", "/contacts?phone=%2B14155550003") == []


@pytest.mark.parametrize("change", ["members/remove", "members"])
def test_membership_changes_never_read_the_whole_collection(audit: Audit, change: str) -> None:
    assert audit.collection_reads("POST", f"/groups/{{group}}/{change}", json={"ids": audit.ids}) == []


def test_a_merge_never_reads_the_whole_collection(audit: Audit) -> None:
    survivor, source = (audit.http.post("/contacts", json={"name": name}).json()["id"] for name in ("Keep", "Fold"))

    assert audit.collection_reads("POST", f"/contacts/{survivor}/merge", json={"from": [source]}) == []
    assert audit.collection_reads("GET", f"/contacts/{source}", follow_redirects=False) == []
