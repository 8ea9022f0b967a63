"""An app that may send webhooks to loopback (the tests' receiver), in quick rounds with short backoffs."""

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest

from api.settings import Settings
from bench.receiver import Receiver, receiving
from tests.live_server import LiveServer

QUICK = {"webhook_allow_private": True, "webhook_interval": 0.05, "webhook_backoff": 0.1}


@pytest.fixture
def hooked_settings(settings: Settings) -> Settings:
    return settings.model_copy(update=QUICK | {"webhook_retry_for": timedelta(seconds=30)})


@pytest.fixture
async def hooked(hooked_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    with LiveServer(hooked_settings).running() as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            yield http


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running
