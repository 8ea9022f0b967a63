"""The contract: the app's OpenAPI document as committed in openapi/openapi.yaml."""

from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.http.problems import PROBLEM_MEDIA_TYPE

CONTRACT_PATH = "openapi/openapi.yaml"
DESCRIPTION = (
    "Contacts over HTTP+JSON. Errors are RFC 9457 problem details (`application/problem+json`); "
    "changes are conditional on ETags (`If-Match`); lists are keyset-paginated with signed cursors."
)
_DEFAULT_422 = "#/components/schemas/HTTPValidationError"


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, every error response declared as `application/problem+json`.

    FastAPI's default 422 (`HTTPValidationError`) is dropped: operations that validate input
    declare their own 422 problem response, and one with nothing to validate has none.
    """
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=DESCRIPTION,
        contact={"name": "Contacts API maintainers", "email": "contacts-api@example.com"},
        servers=[{"url": "/", "description": "This server"}],
        routes=app.routes,
        tags=[
            {"name": "contacts", "description": "The contacts resource."},
            {"name": "groups", "description": "Named groups of contacts, their members and member counts."},
            {"name": "webhooks", "description": "Signed POSTs of contact events, delivered from the change feed."},
            {"name": "sync", "description": "The change feed: what changed since a sync token."},
            {"name": "history", "description": "Every earlier version of a contact, and restoring one."},
            {"name": "trash", "description": "Deleted contacts, undeleted within TRASH_RETENTION."},
            {"name": "interchange", "description": "Whole address books as vCard or CSV files."},
            {"name": "tenant", "description": "All of the tenant's data: export and erasure."},
            {"name": "seed", "description": "The two routes of the original blog-post service."},
            {"name": "health", "description": "Liveness and readiness probes."},
        ],
    )
    for path_item in document["paths"].values():
        for operation in path_item.values():
            responses = operation["responses"] = dict(sorted(operation["responses"].items()))
            for code, response in list(responses.items()):
                content = response.get("content", {})
                if content.get("application/json", {}).get("schema") == {"$ref": _DEFAULT_422}:
                    del responses[code]
                elif code[0] in "45" and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    for name in ("HTTPValidationError", "ValidationError"):
        document["components"]["schemas"].pop(name, None)
    return document


def install_contract(app: FastAPI) -> None:
    """Serve the post-processed document at /openapi.json (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def render_yaml(document: dict[str, Any]) -> str:
    """The document as block-style YAML, keys in FastAPI's order."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
