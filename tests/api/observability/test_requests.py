"""Request ids, the one log line per request, and one traceback per unhandled error."""

import logging

import httpx
import pytest

from tests.factories import create_contact


async def test_a_valid_request_id_is_echoed_and_quoted_in_problems(client: httpx.AsyncClient) -> None:
    response = await client.get("/contacts/0123456789abcdef01234567", headers={"X-Request-ID": "abc-123.x"})

    assert response.headers["x-request-id"] == "abc-123.x"
    assert response.json()["request_id"] == "abc-123.x"


@pytest.mark.parametrize("sent", [None, "", "has space", "x" * 200, "ünïcode"])
async def test_a_missing_or_invalid_request_id_is_replaced(client: httpx.AsyncClient, sent: str | None) -> None:
    headers = {b"X-Request-ID": sent.encode()} if sent is not None else {}

    response = await client.get("/healthz", headers=headers)

    assert len(response.headers["x-request-id"]) == 32
    assert response.headers["x-request-id"] != sent


async def test_each_request_is_logged_once_with_its_route_and_never_its_body(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="api.access")
    created = (await create_contact(client, name="Secret Name", notes="a secret note")).json()

    await client.get(f"/contacts/{created['id']}", headers={"X-Request-ID": "trace-me"})

    lines = [record for record in caplog.records if record.name == "api.access"]
    get = next(record for record in lines if getattr(record, "request_id", None) == "trace-me")
    assert len([record for record in lines if getattr(record, "request_id", None) == "trace-me"]) == 1
    assert (get.method, get.route, get.status, get.tenant) == ("GET", "/contacts/{contact_id}", 200, None)  # type: ignore[attr-defined]
    assert get.duration_ms > 0  # type: ignore[attr-defined]
    assert all("Secret" not in record.getMessage() and "secret" not in str(record.__dict__) for record in lines)


def test_an_unhandled_error_logs_one_traceback_and_closes_the_connection(
    failing_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    response = httpx.get(f"{failing_server}/boom")

    with_traceback = [record for record in caplog.records if record.exc_info]
    assert response.status_code == 500
    assert response.headers["connection"] == "close"
    assert len(with_traceback) == 1
    assert with_traceback[0].name == "api.errors"
