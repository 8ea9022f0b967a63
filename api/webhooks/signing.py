"""Signing secrets and headers, as the Standard Webhooks specification describes (the `standardwebhooks` library).

A subscription's secret is never stored: it is an HMAC of the service's key (the one that signs sync tokens)
over the subscription's id and a random nonce, shown once when made. A new nonce is a new secret.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)


def new_nonce() -> str:
    """A fresh nonce: with the subscription's id, it determines the secret."""
    return secrets.token_hex(16)


def secret_for(service_key: bytes, webhook_id: str, nonce: str) -> str:
    """The subscription's signing secret: `whsec_` and 24 bytes in base64 (what receivers are given)."""
    raw = hmac.new(service_key, f"webhook-secret:{webhook_id}:{nonce}".encode(), hashlib.sha256).digest()[:24]
    return SECRET_PREFIX + base64.b64encode(raw).decode()


def headers(secret: str, message_id: str, at: datetime, body: str) -> dict[str, str]:
    """The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers of one attempt."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
        "content-type": "application/json",
    }
