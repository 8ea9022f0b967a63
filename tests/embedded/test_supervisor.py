"""The supervisor: the child serves its file, keeps data across restarts, and never outlives its parent."""

import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from embedded import EmbeddedDatabase, EmbeddedDatabaseError

pytestmark = pytest.mark.slow


def test_the_child_serves_its_file_and_keeps_the_data_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "data" / "contacts.sqlite3"

    with EmbeddedDatabase(path) as first, MongoClient[dict[str, Any]](first.uri) as client:
        client.db.things.insert_one({"_id": "kept"})
    with EmbeddedDatabase(path) as second, MongoClient[dict[str, Any]](second.uri) as client:
        found = client.db.things.find_one({"_id": "kept"})

    assert found == {"_id": "kept"}
    assert path.exists()
    assert not first.is_running
    assert not second.is_running


def test_the_child_stops_when_its_parent_dies(tmp_path: Path) -> None:
    # A parent that starts the database, prints the child's pid, and is then killed without cleaning up.
    script = (
        "import os, sys; from pathlib import Path; from embedded import EmbeddedDatabase; "
        f"d = EmbeddedDatabase(Path({str(tmp_path / 'db.sqlite3')!r})); d.start(); "
        "print(d._process.pid, flush=True); sys.stdin.read()"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        parent.kill()

    assert _gone_within(child, 10)


def test_a_child_that_cannot_serve_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a-directory.sqlite3").mkdir()

    with pytest.raises(EmbeddedDatabaseError, match="did not start"):
        EmbeddedDatabase(tmp_path / "a-directory.sqlite3").start()


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/stat")
        if not status.exists() or status.read_text().split()[2] == "Z":
            return True
        time.sleep(0.05)
    return False


def test_a_missing_embedded_group_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *args: None)

    with pytest.raises(EmbeddedDatabaseError, match="set MONGODB_URL"):
        EmbeddedDatabase(tmp_path / "db.sqlite3").launch()


def test_the_service_imports_without_the_embedded_group() -> None:
    # A production image leaves mongoeco out; nothing the service imports may need it.
    script = "import sys; sys.modules['mongoeco'] = None; import api.__main__, api.app, api.serve; print('ok')"

    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)

    assert run.stdout.strip() == "ok", run.stderr


def test_only_the_service_can_reach_or_read_the_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with EmbeddedDatabase(data / "contacts.sqlite3") as database:
        port = database.uri.rsplit(":", 1)[1].split("/")[0]
        with (
            MongoClient[dict[str, Any]](
                f"mongodb://127.0.0.1:{port}/?directConnection=true", serverSelectionTimeoutMS=2000
            ) as anonymous,
            pytest.raises(OperationFailure, match="Authentication required"),
        ):
            anonymous.contacts.contacts.find_one()
        modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in data.iterdir()}

    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert set(modes.values()) == {0o600}, modes
    assert {"contacts.sqlite3", "contacts.sqlite3.secret", "contacts.sqlite3.lock"} <= set(modes)


def test_a_second_server_on_the_same_file_is_refused(tmp_path: Path) -> None:
    with EmbeddedDatabase(tmp_path / "db.sqlite3"), pytest.raises(EmbeddedDatabaseError, match="already served"):
        EmbeddedDatabase(tmp_path / "db.sqlite3").start()


def test_a_server_waits_for_the_previous_one_on_its_file_to_stop(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    previous = EmbeddedDatabase(path)
    previous.start()
    stopper = threading.Timer(1.0, previous.stop)  # the previous server is still stopping when the next starts
    stopper.start()
    try:
        with EmbeddedDatabase(path) as following, MongoClient[dict[str, Any]](following.uri) as client:
            assert client.admin.command("ping")["ok"] == 1
            assert not previous.is_running
    finally:
        stopper.join()
        previous.stop()


def test_a_command_finds_the_running_server_and_only_while_it_runs(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with EmbeddedDatabase(path) as running:
        found = EmbeddedDatabase.running_uri(path)

    assert found == running.uri
    assert EmbeddedDatabase.running_uri(path) is None
