"""/metrics: Prometheus text with the requests, their latency, the database operations and the build."""

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.settings import Settings
from tests.factories import create_contact
from tests.served import served


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_name_routes_by_template_and_count_database_operations(client: httpx.AsyncClient) -> None:
    created = (await create_contact(client)).json()
    await client.get(f"/contacts/{created['id']}")

    response = await client.get("/metrics")
    found = samples(response.text)

    assert response.headers["content-type"].startswith("text/plain")
    route = (("method", "GET"), ("route", "/contacts/{contact_id}"), ("status", "200"))
    assert found[("contacts_http_requests_total", route)] >= 1
    assert any(name == "contacts_http_request_duration_seconds_bucket" for name, _ in found)
    assert any(name == "contacts_db_operation_duration_seconds_count" and ("command", "insert") in labels
               for name, labels in found)  # fmt: skip
    assert any(name == "contacts_build_info" for name, _ in found)
    assert ("contacts_http_requests_in_flight", ()) in found


@pytest.mark.slow
def test_with_two_workers_the_metrics_add_up_both(settings: Settings, tmp_path: Path) -> None:
    with served(settings, tmp_path / "service.log", WORKERS="2", LOG_LEVEL="warning") as service:
        with httpx.Client(base_url=service.base_url) as client:
            for _ in range(40):
                assert client.get("/healthz", headers={"Connection": "close"}).status_code == 200
        text = httpx.get(f"{service.base_url}/metrics").text

    route = (("method", "GET"), ("route", "/healthz"), ("status", "200"))
    assert samples(text)[("contacts_http_requests_total", route)] >= 40
