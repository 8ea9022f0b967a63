"""`python -m api migrate`: on MongoDB (the test's server), and on the embedded default it starts itself."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from pymongo import MongoClient
from pymongo.database import Database

from api.migrations.service import known_migrations
from embedded import FILE_NAME, EmbeddedDatabase
from tests.cli import run_api

pytestmark = pytest.mark.slow  # each test runs the command line in a process of its own

HEAD = known_migrations()[-1]


def migrate(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_api("migrate", *arguments, env=env, timeout=120)


def test_migrate_applies_the_pending_migrations_and_says_where_the_database_stands(
    on_mongodb: dict[str, str], database: Database[Any]
) -> None:
    oid = ObjectId()
    database.contacts.insert_one({"_id": oid, "name": "masnun", "email": "masnun@example.com"})

    applied = migrate(env=on_mongodb)
    again = migrate(env=on_mongodb)

    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.splitlines() == [
        *(f"applied {name}" for name in known_migrations()),
        f"database {database.name!r} is up to date, at migration {HEAD}",
    ]
    assert again.stdout.splitlines() == applied.stdout.splitlines()[-1:]
    assert "seed documents: 1 became contacts, 0 moved to contacts_unmigrated" in applied.stderr
    contact = database.contacts.find_one({"_id": str(oid)})
    assert contact is not None
    assert contact["email_keys"] == ["masnun@example.com"]


def test_migrate_down_rolls_back_and_status_shows_what_is_pending(on_mongodb: dict[str, str]) -> None:
    migrate(env=on_mongodb)

    down = migrate("--down", env=on_mongodb)
    shown = migrate("--status", env=on_mongodb)
    all_down = migrate("--down", "99", env=on_mongodb)

    assert down.stdout.splitlines()[0] == f"rolled back {HEAD}"
    assert shown.returncode == 0
    assert shown.stdout.strip().endswith(f"pending: {HEAD}")
    assert all_down.stdout.splitlines()[-1].endswith(
        "is before every migration; pending: " + ", ".join(known_migrations())
    )


def test_migrate_refuses_a_database_migrated_by_newer_code(on_mongodb: dict[str, str], database: Database[Any]) -> None:
    database.migrations_log.insert_one({"name": "20990101000000_future.py", "is_current": True})

    refused = migrate(env=on_mongodb)
    shown = migrate("--status", env=on_mongodb)

    assert refused.returncode == shown.returncode == 1
    assert "is at migration 20990101000000_future.py, which this code does not have" in refused.stderr
    assert database.contacts.count_documents({}) == 0


@pytest.mark.slow
def test_migrate_on_the_embedded_default_starts_the_database_itself(tmp_path: Path) -> None:
    oid = ObjectId()
    with EmbeddedDatabase(tmp_path / FILE_NAME) as embedded, MongoClient[dict[str, Any]](embedded.uri) as client:
        client.contacts.contacts.insert_one({"_id": oid, "name": "masnun"})

    migrated = migrate(env={"DATA_DIR": str(tmp_path)})

    with EmbeddedDatabase(tmp_path / FILE_NAME) as embedded, MongoClient[dict[str, Any]](embedded.uri) as client:
        contact = client.contacts.contacts.find_one({"_id": str(oid)})
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.splitlines()[-1] == f"database 'contacts' is up to date, at migration {HEAD}"
    assert contact is not None
    assert (contact["name"], contact["tenant"], contact["version"]) == ("masnun", "default", 1)
    assert not EmbeddedDatabase(tmp_path / FILE_NAME).files.is_served()
