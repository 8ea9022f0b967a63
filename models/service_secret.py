"""Secrets the service generates once and keeps in its database, so that every worker and restart shares them."""

from beanie import Document


class ServiceSecret(Document):
    """`id` names the secret (e.g. "sync-tokens"); `value` is random hex."""

    id: str  # type: ignore[assignment]
    value: str

    class Settings:
        name = "service_secrets"
