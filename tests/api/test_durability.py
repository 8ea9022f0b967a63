"""Acknowledged writes survive kill -9: of the service, of its embedded database, or of both.

Eight writers create contacts as fast as they can; the kill comes while they write. Every contact the
service answered 201 for must be there afterwards (after a restart on the same DATA_DIR when the service
itself was killed). Contacts stored without an answer are counted, not failed: their client was told
nothing, or that the outcome is unknown.
"""

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.served import Served, served

pytestmark = pytest.mark.slow
WRITERS = 8


def write_until(base_url: str, stop: threading.Event, acknowledged: list[str], attempted: list[str]) -> None:
    with httpx.Client(base_url=base_url, timeout=5) as client:
        number = 0
        while not stop.is_set():
            name = f"w{threading.get_ident()}-{number}"
            number += 1
            attempted.append(name)
            try:
                response = client.post("/contacts", json={"name": name})
            except httpx.TransportError:
                continue
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])


def every_contact(base_url: str) -> dict[str, str]:
    """Every stored contact's id and name, page by page."""
    found: dict[str, str] = {}
    cursor = None
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while True:
            page = client.get("/contacts", params={"limit": 100} | ({"cursor": cursor} if cursor else {})).json()
            found |= {item["id"]: item["name"] for item in page["items"]}
            cursor = page["next_cursor"]
            if cursor is None:
                return found


@pytest.mark.parametrize("victim", ["service", "database", "both"])
def test_no_acknowledged_create_is_lost_when_killed(tmp_path: Path, victim: str) -> None:
    data, log = tmp_path / "data", tmp_path / "service.log"
    acknowledged: list[str] = []
    attempted: list[str] = []
    stop = threading.Event()
    with served(None, log, data_dir=data) as service:
        writers = [
            threading.Thread(target=write_until, args=(service.base_url, stop, acknowledged, attempted))
            for _ in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        time.sleep(1.5)
        kill(service, victim)
        time.sleep(0.5 if victim == "database" else 0.1)
        stop.set()
        for writer in writers:
            writer.join(15)
        if victim == "database":
            service.wait_until("/readyz", 200, timeout=15)
            stored = every_contact(service.base_url)
    if victim != "database":
        with served(None, log, data_dir=data) as restarted:
            stored = every_contact(restarted.base_url)

    lost = set(acknowledged) - set(stored)
    unacknowledged = len(stored) - len(set(acknowledged) & set(stored))
    print(f"kill -9 of the {victim}: {len(acknowledged)} acknowledged, {len(lost)} lost, "
          f"{unacknowledged} stored without an acknowledgement, of {len(attempted)} attempted")  # fmt: skip
    assert len(acknowledged) > 50
    assert lost == set()


def kill(service: Served, victim: str) -> None:
    if victim in ("database", "both"):
        os.kill(service.database_pid(), signal.SIGKILL)
    if victim in ("service", "both"):
        service.process.kill()
