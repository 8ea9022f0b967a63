"""The generated Python SDK drives webhooks: a subscription, its secret once, its delivery log, a refused URL."""

import time
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
from standardwebhooks import Webhook

from api.settings import Settings
from bench.receiver import Receiver, receiving
from tests.contract.sdk.conftest import PythonSdk
from tests.contract.sdk.test_python_sdk import create
from tests.live_server import LiveServer

pytestmark = pytest.mark.contract


@pytest.fixture
def hooked_client(python_sdk: PythonSdk, settings: Settings) -> Iterator[Any]:
    quick = {"webhook_allow_private": True, "webhook_interval": 0.05}
    with (
        LiveServer(settings.model_copy(update=quick)).running() as url,
        python_sdk.package.Client(base_url=url) as client,
    ):
        yield client


def test_a_subscription_delivers_signed_events_and_logs_them(python_sdk: PythonSdk, hooked_client: Any) -> None:
    models = python_sdk.models
    with receiving() as receiver:
        body = models.WebhookWrite(url=receiver.url, events=[models.EventType.CONTACT_CREATED])
        created = python_sdk.create_webhook.sync_detailed(client=hooked_client, body=body)
        contact = create(python_sdk, hooked_client, "Ada Lovelace").parsed
        _wait(receiver)
        log = python_sdk.list_deliveries.sync(created.parsed.id, client=hooked_client)
        fetched = python_sdk.get_webhook.sync(created.parsed.id, client=hooked_client)

    assert created.status_code == HTTPStatus.CREATED
    assert isinstance(created.parsed, models.WebhookCreated)
    assert created.parsed.secret.startswith("whsec_")
    assert isinstance(fetched, models.WebhookOut)
    request = receiver.accepted()[0]
    Webhook(created.parsed.secret).verify(request.body, request.headers)
    assert request.event["data"]["contact"]["id"] == contact.id
    assert isinstance(log, models.DeliveryPage)
    assert [(entry.event_type, entry.status) for entry in log.items] == [
        (models.EventType.CONTACT_CREATED, models.DeliveryOutStatus.DELIVERED)
    ]


def test_a_private_url_is_a_typed_422(python_sdk: PythonSdk, sdk_client: Any) -> None:
    models = python_sdk.models
    body = models.WebhookWrite(url="http://127.0.0.1:9/hooks", events=[models.EventType.CONTACT_DELETED])

    refused = python_sdk.create_webhook.sync_detailed(client=sdk_client, body=body)

    assert refused.status_code == HTTPStatus.UNPROCESSABLE_CONTENT
    assert isinstance(refused.parsed, models.ProblemDetails)
    assert refused.parsed.errors[0].pointer == "/url"


def _wait(receiver: Receiver) -> None:
    deadline = time.monotonic() + 15
    while not receiver.accepted():
        assert time.monotonic() < deadline, "no delivery"
        time.sleep(0.05)
