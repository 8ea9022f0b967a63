"""Webhook delivery lag under a create load; `python -m bench.webhook_lag [SECONDS]` measures a fresh API.

A local receiver (bench/receiver.py) subscribes to `contact.created`; WRITERS threads create contacts for
SECONDS; the lag of each contact is the time from its 201 to the receiver getting its event. The API polls the
change feed every WEBHOOK_INTERVAL (0.5 s), so that is about the floor of the median.
"""

import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median, quantiles
from typing import Any

import httpx

from bench.receiver import receiving
from bench.services import api_service

WRITERS = 8
SECONDS = 5.0
DRAIN_S = 60.0


def measure(base_url: str, seconds: float = SECONDS) -> dict[str, Any]:
    """Lag p50, p99 and slowest (ms) of the events of a create load on the API at `base_url`."""
    with receiving() as receiver, httpx.Client(base_url=base_url, timeout=30) as client:
        subscribed = client.post("/webhooks", json={"url": receiver.url, "events": ["contact.created"]})
        subscribed.raise_for_status()
        acknowledged: dict[str, float] = {}
        stop = threading.Event()

        def write(writer: int) -> None:
            with httpx.Client(base_url=base_url, timeout=30) as own:
                number = 0
                while not stop.is_set():
                    created = own.post("/contacts", json={"name": f"Hook {writer} {number}"})
                    number += 1
                    if created.status_code == 201:
                        acknowledged[created.json()["id"]] = time.time()

        writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        for thread in writers:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in writers:
            thread.join()
        deadline = time.monotonic() + DRAIN_S
        while len(receiver.accepted()) < len(acknowledged) and time.monotonic() < deadline:
            time.sleep(0.05)
        client.delete(f"/webhooks/{subscribed.json()['id']}")
    arrived = {request.event["data"]["contact"]["id"]: request.at for request in receiver.accepted()}
    lags = [(arrived[key] - at) * 1000 for key, at in acknowledged.items() if key in arrived]
    if len(lags) < 2:
        raise RuntimeError(f"only {len(lags)} of {len(acknowledged)} events arrived")
    return {
        "events": len(acknowledged),
        "delivered": len(lags),
        "creates_per_s": round(len(acknowledged) / seconds, 1),
        "p50_ms": round(median(lags), 1),
        "p99_ms": round(quantiles(lags, n=100)[-1], 1),
        "max_ms": round(max(lags), 1),
    }


def main() -> None:
    """Measure a fresh API on a fresh embedded database, and print the figures."""
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else SECONDS
    with tempfile.TemporaryDirectory() as folder:
        service = api_service(Path(folder) / "api.log", None, "lag", Path(folder) / "data")
        with service:
            service.wait_ready("/readyz")
            print(measure(service.base_url, seconds), flush=True)


if __name__ == "__main__":
    main()
