"""Subscriptions over HTTP: the secret shown once, SSRF refusals, changes, disabling after failures, redelivery."""

import asyncio
from datetime import timedelta

import httpx
import pytest

from api.settings import Settings
from bench.receiver import Receiver
from tests.api.webhooks.test_delivery import subscribe, until
from tests.factories import new_contact
from tests.live_server import LiveServer

MERGE = {"Content-Type": "application/merge-patch+json"}


async def test_the_secret_is_shown_once_and_a_subscription_can_be_changed(
    hooked: httpx.AsyncClient, receiver: Receiver
) -> None:
    created = await subscribe(hooked, receiver.url, ["contact.created"])

    fetched = await hooked.get(f"/webhooks/{created['id']}")
    listed = (await hooked.get("/webhooks")).json()["items"]
    changed = await hooked.patch(
        f"/webhooks/{created['id']}", json={"events": ["contact.deleted"]}, headers=MERGE | {"If-Match": '"1"'}
    )
    stale = await hooked.patch(
        f"/webhooks/{created['id']}", json={"description": "x"}, headers=MERGE | {"If-Match": '"1"'}
    )

    assert created["secret"].startswith("whsec_")
    assert "secret" not in fetched.json()
    assert created["secret"] not in fetched.text + str(listed)
    assert [webhook["id"] for webhook in listed] == [created["id"]]
    assert changed.json()["events"] == ["contact.deleted"]
    assert stale.status_code == 412
    assert (await hooked.delete(f"/webhooks/{created['id']}")).status_code == 204
    assert (await hooked.get(f"/webhooks/{created['id']}")).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://user:pass@example.com/hooks",
        "ftp://example.com/hooks",
    ],
)
async def test_private_and_odd_targets_are_refused(client: httpx.AsyncClient, url: str) -> None:
    response = await client.post("/webhooks", json={"url": url, "events": ["contact.created"]})

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/url"


async def test_a_subscription_whose_deliveries_keep_failing_is_disabled_then_resumed(
    hooked_settings: Settings, receiver: Receiver
) -> None:
    settings = hooked_settings.model_copy(update={"webhook_retry_for": timedelta(seconds=1)})
    with LiveServer(settings).running() as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            webhook = await subscribe(client, receiver.url, ["contact.created"])
            receiver.failing.set()
            await new_contact(client, name="Never delivered")

            async def disabled() -> bool:
                return (await client.get(f"/webhooks/{webhook['id']}")).json()["enabled"] is False

            for _ in range(100):
                if await disabled():
                    break
                await asyncio.sleep(0.1)
            current = (await client.get(f"/webhooks/{webhook['id']}")).json()
            log = (await client.get(f"/webhooks/{webhook['id']}/deliveries")).json()["items"]
            assert current["enabled"] is False
            assert "HTTP 500" in current["disabled_reason"]
            assert (log[0]["status"], log[0]["last_status_code"]) == ("failed", 500)
            assert log[0]["attempts"] >= 2

            receiver.failing.clear()
            resumed = await client.patch(f"/webhooks/{webhook['id']}", json={"enabled": True}, headers=MERGE)
            again = await client.post(f"/webhooks/{webhook['id']}/deliveries/{log[0]['id']}/redeliver")
            await until(lambda: len(receiver.accepted()) == 1)

            assert (resumed.json()["enabled"], resumed.json()["disabled_reason"]) == (True, None)
            assert again.json()["status"] == "pending"
            assert receiver.accepted()[0].headers["webhook-id"] == log[0]["message_id"]
            missing = await client.post(f"/webhooks/{webhook['id']}/deliveries/{webhook['id']}:000000999999c/redeliver")
            assert missing.status_code == 404


@pytest.mark.parametrize("url", ["http://host:port/x", "http://[::1/x", "http://h\u00e9llo.example/x", "http://a b/"])
async def test_malformed_urls_are_422_not_500(client: httpx.AsyncClient, url: str) -> None:
    response = await client.post("/webhooks", json={"url": url, "events": ["contact.created"]})

    assert response.status_code == 422
