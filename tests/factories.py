"""Payload factories, so tests say only what matters to them."""

from http import HTTPStatus
from typing import Any

import httpx

PROBLEM = "application/problem+json"


def problem_body(status: int, detail: str, request_id: str | None = None, type_: str = "about:blank") -> dict[str, Any]:
    """The problem document the API answers with for `status` and `detail` (and the request's id)."""
    body = {"type": type_, "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    return body | ({"request_id": request_id} if request_id is not None else {})


def contact_payload(**overrides: Any) -> dict[str, Any]:
    """A valid contact body; keyword arguments replace or add fields (None removes one)."""
    payload: dict[str, Any] = {
        "name": "Ada Lovelace",
        "emails": [{"value": "ada@example.com", "label": "work", "primary": True}],
        "company": "Analytical Engines",
    }
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}


async def create_contact(client: httpx.AsyncClient, **overrides: Any) -> httpx.Response:
    """POST a contact built by `contact_payload` and insist it was created."""
    response = await client.post("/contacts", json=contact_payload(**overrides))
    assert response.status_code == 201, response.text
    return response


async def new_contact(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """The JSON of a contact created with `contact_payload(**overrides)`."""
    body: dict[str, Any] = (await create_contact(client, **overrides)).json()
    return body


async def patch_contact(
    client: httpx.AsyncClient, contact_id: str, patch: Any, headers: dict[str, str] | None = None
) -> httpx.Response:
    """PATCH with the merge-patch media type."""
    return await client.patch(
        f"/contacts/{contact_id}",
        json=patch,
        headers={"content-type": "application/merge-patch+json", **(headers or {})},
    )


def bearer(key: str) -> dict[str, str]:
    """The Authorization header presenting `key`."""
    return {"Authorization": f"Bearer {key}"}
