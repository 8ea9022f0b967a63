"""The contacts domain at one size: the duplicate scan, merge latency, webhook delivery lag (bench/webhook_lag.py).

The scan: the first `GET /contacts/duplicates` (the worker has no index of the tenant yet: it reads and scores
the whole address book), then one right after a change (the index reads the change feed and rescores what the
change can affect), then once more (nothing changed). Merges: MERGES pairs of fresh contacts, each merged by one
`POST /contacts/{id}/merge`, one after another; p50, p90 and the slowest.
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
    """Seconds of the first duplicate scan (full), of one after a change, and of the next (kept); groups found."""
    url = f"{base_url}/contacts/duplicates?limit=50"
    started = time.perf_counter()
    first = get_json(url)
    full = time.perf_counter() - started
    send("PATCH", f"{base_url}/contacts/{some_id}", json.dumps({"nickname": "bench"}).encode(), PATCH)
    started = time.perf_counter()
    get_json(url)
    changed = time.perf_counter() - started
    started = time.perf_counter()
    get_json(url)
    kept = time.perf_counter() - started
    return {
        "full_seconds": round(full, 3),
        "after_change_seconds": round(changed, 4),
        "kept_seconds": round(kept, 4),
        "groups_first_page": len(first["items"]),
    }


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
