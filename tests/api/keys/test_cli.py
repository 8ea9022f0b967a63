"""`python -m api keys ...`: on MongoDB, on the embedded database a running service holds, or on its own."""

import subprocess
from pathlib import Path

import pytest
from pymongo import MongoClient

from embedded import FILE_NAME, EmbeddedDatabase
from tests.cli import run_api

pytestmark = pytest.mark.slow


def keys(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_api("keys", *arguments, env=env)


def test_create_prints_the_key_once_as_the_last_line(on_mongodb: dict[str, str]) -> None:
    created = keys("create", "--tenant", "acme", "--label", "ci", env=on_mongodb)
    listed = keys("list", env=on_mongodb)

    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    key_id = key.split("_")[1]
    assert key.startswith("ck_")
    assert created.stdout.count(key) == 1
    assert listed.returncode == 0
    assert key_id in listed.stdout
    assert "acme" in listed.stdout
    assert key.split("_", 2)[2] not in listed.stdout


def test_revoke_marks_the_key_and_an_unknown_id_fails(on_mongodb: dict[str, str]) -> None:
    key_id = keys("create", "--tenant", "acme", env=on_mongodb).stdout.strip().splitlines()[-1].split("_")[1]

    revoked = keys("revoke", key_id, env=on_mongodb)
    again = keys("revoke", key_id, env=on_mongodb)
    listed = keys("list", "--tenant", "acme", env=on_mongodb)

    assert revoked.returncode == 0
    assert again.returncode == 1
    assert "no active key" in again.stderr
    row = next(line for line in listed.stdout.splitlines() if line.startswith(key_id))
    assert row.split()[4] != "-"  # the revoked column holds a time


def test_a_bad_tenant_name_is_a_usage_error(on_mongodb: dict[str, str]) -> None:
    created = keys("create", "--tenant", "Not A Tenant", env=on_mongodb)

    assert created.returncode == 2
    assert "tenant names" in created.stderr


def test_on_the_embedded_default_it_uses_the_running_server(tmp_path: Path) -> None:
    with EmbeddedDatabase(tmp_path / FILE_NAME) as running:
        created = keys("create", "--tenant", "acme", env={"DATA_DIR": str(tmp_path)})
        with MongoClient[dict[str, object]](running.uri) as client:
            stored = client.contacts.api_keys.count_documents({"tenant": "acme"})

    assert created.returncode == 0, created.stderr
    assert stored == 1


def test_on_the_embedded_default_with_no_service_it_starts_the_database_itself(tmp_path: Path) -> None:
    created = keys("create", "--tenant", "acme", env={"DATA_DIR": str(tmp_path)})
    key = created.stdout.strip().splitlines()[-1]

    assert created.returncode == 0, created.stderr
    assert EmbeddedDatabase.running_uri(tmp_path / FILE_NAME) is None  # stopped again
    stored = b"".join(path.read_bytes() for path in tmp_path.glob(f"{FILE_NAME}*"))  # the file, WAL and sidecars
    assert b'"api_keys"' in stored or b"api_keys" in stored
    assert key.split("_", 2)[2].encode() not in stored  # only the key's digest is stored
