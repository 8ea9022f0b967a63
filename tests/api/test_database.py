"""The database client: timezone-aware times, and a ping that gives up in time."""

import time
from datetime import UTC, datetime

from api.database import connect, ping
from api.settings import Settings


async def test_ping_answers_true_for_a_live_server(settings: Settings) -> None:
    assert settings.mongodb_url is not None
    client = connect(settings.mongodb_url.get_secret_value())
    try:
        assert await ping(client) is True
    finally:
        await client.close()


async def test_ping_gives_up_on_a_dead_server_within_its_deadline() -> None:
    client = connect("mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=5000")
    started = time.monotonic()
    try:
        assert await ping(client, within=0.5) is False
    finally:
        await client.close()
    assert time.monotonic() - started < 3


async def test_times_come_back_timezone_aware(settings: Settings) -> None:
    assert settings.mongodb_url is not None
    client = connect(settings.mongodb_url.get_secret_value())
    try:
        collection = client[settings.mongodb_db]["times"]
        await collection.insert_one({"_id": "t", "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)})
        found = await collection.find_one({"_id": "t"})
    finally:
        await client.close()
    assert found is not None
    assert found["at"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
