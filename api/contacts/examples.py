"""Example values shown in the contract, one source for every schema that needs them."""

from typing import Any

CONTACT_EXAMPLE: dict[str, Any] = {
    "name": "Ada Lovelace",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "company": "Analytical Engines Ltd",
    "job_title": "Analyst",
    "birthday": "1815-12-10",
    "tags": ["vip", "math"],
    "emails": [{"value": "ada@example.com", "label": "work", "primary": True}],
    "phones": [{"value": "+44 20 7946 0958", "label": "office"}],
    "addresses": [{"label": "home", "city": "London", "country": "GB"}],
    "notes": "Met at the Difference Engine demo.",
}

STORED_CONTACT_EXAMPLE: dict[str, Any] = {
    "id": "6b081b01192d8ee71ccc146a",
    **CONTACT_EXAMPLE,
    "nickname": None,
    "emails": [{"value": "ada@example.com", "label": "work", "primary": True, "original": None}],
    "phones": [{"value": "+442079460958", "label": "office", "primary": False, "original": "+44 20 7946 0958"}],
    "addresses": [
        {"label": "home", "street": None, "city": "London", "region": None, "postal_code": None, "country": "GB"}
    ],
    "external_id": None,
    "created_at": "2026-11-26T11:41:53.787000Z",
    "updated_at": "2026-11-26T11:41:53.787000Z",
    "version": 1,
}
