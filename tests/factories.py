"""Payload factories, so tests say only what matters to them."""

from typing import Any


def contact_payload(**overrides: Any) -> dict[str, Any]:
    """A valid contact body; keyword arguments replace or add fields (None removes one)."""
    payload: dict[str, Any] = {"name": "Ada Lovelace", "email": "ada@example.com", "company": "Analytical Engines"}
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}
