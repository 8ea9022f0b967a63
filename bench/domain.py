"""The contacts domain at one size: the duplicate scan, merge latency, webhook delivery lag (bench/webhook_lag.py).

The scan: `GET /contacts/duplicates` right after a change (so the worker's kept scan is stale and it reads and
scores the whole address book again), then once more (served from the kept scan). Merges: MERGES pairs of fresh
contacts, each merged by one `POST /contacts/{id}/merge`, one after another; p50, p90 and the slowest.
"""

import json
import time
from statistics import median, quantiles
from typing import Any

from bench import webhook_lag
from bench.client import get_json, send

MERGES = 30
PATCH = "application/merge-patch+json"


def measure(base_url: str, some_id: str) -> dict[str, Any]:
    """Scan, merge and webhook figures for the address book the API at `base_url` holds (`some_id`: one of its
    contacts)."""
    return {"duplicates": scan(base_url, some_id), "merge": merges(base_url), "webhooks": webhook_lag.measure(base_url)}


def scan(base_url: str, some_id: str) -> dict[str, Any]:
    """Seconds of a duplicate scan after a change (cold) and of the next request (kept), and how many groups."""
    send("PATCH", f"{base_url}/contacts/{some_id}", json.dumps({"nickname": "bench"}).encode(), PATCH)
    started = time.perf_counter()
    first = get_json(f"{base_url}/contacts/duplicates?limit=50")
    cold = time.perf_counter() - started
    started = time.perf_counter()
    get_json(f"{base_url}/contacts/duplicates?limit=50")
    kept = time.perf_counter() - started
    return {"cold_seconds": round(cold, 3), "kept_seconds": round(kept, 4), "groups_first_page": len(first["items"])}


def merges(base_url: str) -> dict[str, Any]:
    """Latency of MERGES merges of two fresh contacts each (ms)."""
    timings = []
    for number in range(MERGES):
        pair = [
            send("POST", f"{base_url}/contacts", json.dumps({"name": f"Merge {number} {side}"}).encode())["id"]
            for side in ("keep", "fold")
        ]
        body = json.dumps({"from": [pair[1]]}).encode()
        started = time.perf_counter()
        send("POST", f"{base_url}/contacts/{pair[0]}/merge", body)
        timings.append((time.perf_counter() - started) * 1000)
    deciles = quantiles(timings, n=10)
    return {
        "merges": MERGES,
        "p50_ms": round(median(timings), 1),
        "p90_ms": round(deciles[-1], 1),
        "max_ms": round(max(timings), 1),
    }
