"""The change feed's promise: a poll after a few changes costs those changes, not the address book.

A full sync (`GET /contacts/changes?since=0`, pages of PAGE, following `sync_token` while `has_more`) is
timed and its requests counted; then CHANGES contacts are changed (PATCH), and once the feed has settled
past them, POLLS polls from the full sync's last token are timed the same way (the median is reported).

The feed stops before a gap in the change numbers until the change after it is older than 2 x DB_TIMEOUT
(`Settings.sync_settle`; 2 s by default): the contacts the create scenarios add and the harness deletes
again leave such gaps, so a poll made at once could miss the changes (and be cheap for the wrong reason).
The poll therefore waits until SETTLE_S after the last change; the runner spends that time on the exports.
"""

import time
import urllib.parse
from dataclasses import dataclass
from statistics import median
from typing import Any

from api.settings import Settings
from bench.client import get_json, send

PAGE = 200  # the feed's largest page
CHANGES = 10
POLLS = 5
SETTLE_S = 2 * float(Settings.model_fields["db_timeout"].default) + 0.5
FULL = "0"  # the token of a full sync


@dataclass(frozen=True, slots=True)
class FeedRead:
    """One walk of the feed from a token to its end: time, requests, what it brought and the token to poll with."""

    seconds: float
    requests: int
    changed: int
    deleted: int
    token: str

    def as_dict(self) -> dict[str, Any]:
        """The walk as JSON-ready numbers (without the token)."""
        return {
            "seconds": round(self.seconds, 4),
            "requests": self.requests,
            "changed": self.changed,
            "deleted": self.deleted,
        }


def follow(base_url: str, since: str) -> FeedRead:
    """Read the feed from `since` until `has_more` is false, as a client syncs."""
    requests = changed = deleted = 0
    started = time.perf_counter()
    while True:
        page = get_json(f"{base_url}/contacts/changes?since={urllib.parse.quote(since)}&limit={PAGE}")
        requests += 1
        changed += len(page["changed"])
        deleted += len(page["deleted"])
        since = page["sync_token"]
        if not page["has_more"]:
            return FeedRead(time.perf_counter() - started, requests, changed, deleted, since)


def change(base_url: str, ids: list[str], token: str) -> float:
    """Change the notes of each of `ids` (one PATCH each); the time.monotonic() of the last change."""
    for number, contact_id in enumerate(ids):
        body = f'{{"notes": "bench sync change {number} {token}"}}'.encode()
        send("PATCH", f"{base_url}/contacts/{contact_id}", body, "application/merge-patch+json")
    return time.monotonic()


def wait_settled(changed_at: float) -> None:
    """Sleep until the feed steps over every gap before the changes made at `changed_at` (time.monotonic())."""
    time.sleep(max(0.0, changed_at + SETTLE_S - time.monotonic()))


def summary(full: FeedRead, polls: list[FeedRead], changes: int) -> dict[str, Any]:
    """The full sync, the median poll, and poll ÷ full in seconds (the lower, the more a poll saves)."""
    poll_seconds = median(poll.seconds for poll in polls)
    poll = min(polls, key=lambda read: abs(read.seconds - poll_seconds))
    return {
        "changes_made": changes,
        "full": full.as_dict(),
        "poll": poll.as_dict() | {"seconds": round(poll_seconds, 4), "runs_s": [round(p.seconds, 4) for p in polls]},
        "poll_vs_full": round(poll_seconds / full.seconds, 5) if full.seconds else None,
    }
