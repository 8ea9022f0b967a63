"""The change feed and the history after kill -9: never a change that was not made, never a lost one.

Writers create, change and delete contacts while the service (and its embedded database) is killed. After a
restart, a full sync through the feed must give exactly the live contacts the listing gives, at the same
versions, plus a tombstone for each contact in the trash; every acknowledged change must be there; and each
contact's history must list every version from its current one down to 1.
"""

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.served import served

pytestmark = pytest.mark.slow
WRITERS = 6


def churn(base_url: str, stop: threading.Event, acknowledged: dict[str, int], deleted: set[str]) -> None:
    """Create a contact, change it, and delete every third one, until told to stop; record what was answered."""
    with httpx.Client(base_url=base_url, timeout=5) as client:
        number = 0
        while not stop.is_set():
            number += 1
            try:
                created = client.post("/contacts", json={"name": f"c{threading.get_ident()}-{number}"})
                if created.status_code != 201:
                    continue
                contact_id = created.json()["id"]
                acknowledged[contact_id] = 1
                changed = client.patch(
                    f"/contacts/{contact_id}",
                    json={"company": "Changed"},
                    headers={"content-type": "application/merge-patch+json", "if-match": '"1"'},
                )
                if changed.status_code == 200:
                    acknowledged[contact_id] = 2
                if number % 3 == 0 and client.delete(f"/contacts/{contact_id}").status_code == 204:
                    deleted.add(contact_id)
            except httpx.TransportError:
                continue


def pages(client: httpx.Client, path: str, key: str = "cursor", **params: Any) -> list[dict[str, Any]]:
    found, position = [], None
    while True:
        page = client.get(path, params=params | ({key: position} if position else {})).json()
        found.append(page)
        position = page.get("next_cursor") if key == "cursor" else (page["sync_token"] if page["has_more"] else None)
        if position is None:
            return found


def test_after_kill_9_the_feed_and_history_agree_with_the_contacts(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "service.log"
    acknowledged: dict[str, int] = {}
    deleted: set[str] = set()
    stop = threading.Event()
    with served(None, log, data_dir=data) as service:
        writers = [
            threading.Thread(target=churn, args=(service.base_url, stop, acknowledged, deleted)) for _ in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        time.sleep(2)
        os.kill(service.database_pid(), signal.SIGKILL)
        service.process.kill()
        stop.set()
        for writer in writers:
            writer.join(15)
    with served(None, log, data_dir=data) as restarted, httpx.Client(base_url=restarted.base_url, timeout=30) as client:
        time.sleep(2.5)  # past the settle window (2 x DB_TIMEOUT): the feed steps over the writes the kill cut short
        listed = {c["id"]: c["version"] for p in pages(client, "/contacts", limit=100) for c in p["items"]}
        trashed = {c["id"] for p in pages(client, "/contacts/trash", limit=100) for c in p["items"]}
        feed = pages(client, "/contacts/changes", key="since", limit=200)
        synced = {c["id"]: c["version"] for page in feed for c in page["changed"]}
        tombstones = {t["id"] for page in feed for t in page["deleted"]}
        sample = sorted(listed)[:: max(1, len(listed) // 20)]
        histories = {i: [v["version"] for v in client.get(f"/contacts/{i}/history").json()["items"]] for i in sample}

    assert len(acknowledged) > 20
    assert synced == listed
    assert tombstones == trashed
    assert deleted <= trashed
    for contact_id, version in acknowledged.items():
        assert contact_id in listed or contact_id in trashed, contact_id
        assert contact_id in trashed or listed[contact_id] >= version
    for contact_id, versions in histories.items():
        assert versions == list(range(listed[contact_id], 0, -1))
