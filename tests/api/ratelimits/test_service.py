"""Admission: a key's rate window, and its concurrent requests."""

import pytest

from api.ratelimits.service import Guard, TooManyRequests

pytestmark = pytest.mark.usefixtures("bound_models")


async def test_the_rate_is_per_key_and_a_spent_window_is_429_with_retry_after() -> None:
    guard = Guard("2/minute", concurrent=10)

    first, second = await guard.take("a"), await guard.take("a")
    other = await guard.take("b")
    with pytest.raises(TooManyRequests) as refused:
        await guard.take("a")

    assert (first.remaining, second.remaining, other.remaining) == (1, 0, 1)
    assert first.headers()["RateLimit-Limit"] == "2"
    headers = refused.value.headers or {}
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert headers["RateLimit-Remaining"] == "0"


async def test_a_key_gets_at_most_its_concurrent_slots() -> None:
    guard = Guard("100/minute", concurrent=2)

    async with guard.slot("a"), guard.slot("a"), guard.slot("b"):
        with pytest.raises(TooManyRequests):
            async with guard.slot("a"):
                pass
    async with guard.slot("a"):
        assert guard.running["a"] == 1
    assert "a" not in guard.running
