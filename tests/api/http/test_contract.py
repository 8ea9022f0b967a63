"""The committed contract is exactly what the app serves."""

from typing import Any

import httpx
import pytest
import yaml

from api.app import create_app
from api.http.contract import CONTRACT_PATH, render_yaml
from api.settings import Settings
from tests.paths import REPO_ROOT


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return create_app(Settings()).openapi()


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    path = REPO_ROOT / CONTRACT_PATH
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


def test_committed_contract_equals_generated(generated: dict[str, Any], committed: dict[str, Any]) -> None:
    assert committed == generated, "openapi/openapi.yaml is stale: run `make openapi` and review the diff"


def test_committed_contract_is_rendered_as_make_openapi_writes_it(generated: dict[str, Any]) -> None:
    path = REPO_ROOT / CONTRACT_PATH
    assert path.read_text() == render_yaml(generated)


async def test_served_openapi_json_equals_committed(client: httpx.AsyncClient, committed: dict[str, Any]) -> None:
    assert (await client.get("/openapi.json")).json() == committed


def test_operation_ids_are_stable(committed: dict[str, Any]) -> None:
    ids = {op["operationId"] for item in committed["paths"].values() for op in item.values()}

    assert ids >= {"listContacts", "createContact", "getContact", "seedList", "seedCreate"}
    assert {"checkLiveness", "checkReadiness"} <= ids


def test_every_error_response_is_problem_json(committed: dict[str, Any]) -> None:
    for item in committed["paths"].values():
        for operation in item.values():
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], operation["operationId"]
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ProblemDetails"}


def test_every_schema_has_an_example(committed: dict[str, Any]) -> None:
    missing = [name for name, schema in committed["components"]["schemas"].items() if not schema.get("examples")]

    assert missing == []


def test_seed_routes_are_tagged_seed(committed: dict[str, Any]) -> None:
    assert committed["paths"]["/"]["get"]["tags"] == ["seed"]
    assert committed["paths"]["/new"]["post"]["tags"] == ["seed"]


async def test_docs_pages_load_only_local_assets(client: httpx.AsyncClient) -> None:
    for page, asset in (("/docs", "/static/docs/swagger-ui-bundle.js"), ("/redoc", "/static/docs/redoc.standalone.js")):
        response = await client.get(page)
        assert response.status_code == 200
        assert "/openapi.json" in response.text
        assert asset in response.text
        assert "https://" not in response.text
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert (await client.get(asset)).status_code == 200
