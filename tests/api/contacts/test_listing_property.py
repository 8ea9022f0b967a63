"""Property: with inserts and deletes between pages, every contact present throughout is seen exactly once."""

import uuid
from collections import Counter

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

SORTS = ["created_at", "-created_at", "updated_at", "-updated_at", "name", "-name"]
NAMES = st.text(alphabet="abcABCäÖ ", min_size=1, max_size=6).filter(str.strip)

step = st.tuples(st.lists(NAMES, max_size=3), st.lists(st.integers(min_value=0, max_value=1000), max_size=2))


# The live server runs in this process, and its driver takes each request id from the global `random` (pymongo's
# `message._randint`) on its own thread, background rounds included. Hypothesis sees that state move while it draws
# an example and blames the strategies, which use no `random`: a warning about the server, not the test, and it made
# a clean-clone CI fail once.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    initial=st.lists(NAMES, min_size=0, max_size=12),
    limit=st.integers(min_value=1, max_value=5),
    sort=st.sampled_from(SORTS),
    steps=st.lists(step, max_size=8),
)
def test_pages_are_stable_under_concurrent_changes(
    live_server: str, initial: list[str], limit: int, sort: str, steps: list[tuple[list[str], list[int]]]
) -> None:
    tag = uuid.uuid4().hex  # isolates this example's contacts from the others'
    with httpx.Client(base_url=live_server, timeout=10) as client:

        def insert(names: list[str]) -> list[str]:
            if not names:
                return []
            results = client.post("/contacts/bulk", json=[{"name": n, "tags": [tag]} for n in names]).json()["results"]
            return [r["id"] for r in results]

        alive = insert(initial)
        present_throughout = set(alive)
        seen: Counter[str] = Counter()
        cursor: str | None = None
        pending = list(steps)
        while True:
            params: dict[str, str | int] = {"tag": tag, "sort": sort, "limit": limit}
            if cursor:
                params["cursor"] = cursor
            page = client.get("/contacts", params=params).json()
            seen.update(item["id"] for item in page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
            inserts, deletions = pending.pop(0) if pending else ([], [])
            alive += insert(inserts)
            for index in deletions:
                if alive:
                    victim = alive.pop(index % len(alive))
                    present_throughout.discard(victim)
                    assert client.delete(f"/contacts/{victim}").status_code == 204

    assert all(count == 1 for count in seen.values()), seen
    assert present_throughout <= set(seen)
