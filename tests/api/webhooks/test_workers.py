"""Webhook workers as deployed: two services on one database never send one event twice; kill -9 loses none."""

import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.settings import Settings
from bench.receiver import Receiver
from tests.served import served

pytestmark = pytest.mark.slow
QUICK: dict[str, Any] = {
    "WEBHOOK_ALLOW_PRIVATE": "true",
    "WEBHOOK_INTERVAL": "0.05",
    "WEBHOOK_BACKOFF": "0.1",
    "WEBHOOK_TIMEOUT": "1",
}


def wait_for(check: Any, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def create(base_url: str, body: dict[str, Any], path: str = "/contacts") -> dict[str, Any]:
    response = httpx.post(base_url + path, json=body, timeout=10)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_two_services_never_deliver_an_event_twice(settings: Settings, receiver: Receiver, tmp_path: Path) -> None:
    receiver.delay = 0.02
    with (
        served(settings, tmp_path / "one.log", **QUICK) as one,
        served(settings, tmp_path / "two.log", **QUICK) as two,
    ):
        create(one.base_url, {"url": receiver.url, "events": ["contact.created"]}, "/webhooks")
        ids = [create((one, two)[n % 2].base_url, {"name": f"Person {n}"})["id"] for n in range(20)]
        wait_for(lambda: len(receiver.accepted()) >= 20)
        time.sleep(1)  # and nothing more arrives

    accepted = receiver.accepted()
    assert Counter(request.headers["webhook-id"] for request in accepted).most_common(1)[0][1] == 1
    assert [request.event["data"]["contact"]["id"] for request in accepted] == ids
    assert receiver.most_in_flight == 1  # one subscription: one delivery at a time, whichever service sends


def test_events_pending_at_a_kill_9_are_delivered_after_the_restart(
    settings: Settings, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.failing.set()
    with served(settings, tmp_path / "service.log", **QUICK) as service:
        create(service.base_url, {"url": receiver.url, "events": ["contact.created"]}, "/webhooks")
        ids = [create(service.base_url, {"name": f"Person {n}"})["id"] for n in range(5)]
        wait_for(lambda: len(receiver.requests) >= 2)  # it is trying, and failing
        service.process.kill()
        os.killpg(service.process.pid, signal.SIGKILL)
        service.process.wait()
    receiver.failing.clear()
    assert receiver.accepted() == []

    with served(settings, tmp_path / "service.log", **QUICK):
        wait_for(lambda: len(receiver.accepted()) >= 5)  # after the dead worker's lease has run out
        time.sleep(0.5)

    accepted = receiver.accepted()
    assert [request.event["data"]["contact"]["id"] for request in accepted] == ids
    assert len({request.headers["webhook-id"] for request in accepted}) == 5
