"""API keys: issue them, check the one a request presents, list and revoke them.

A key reads `ck_<id>_<secret>`: the id is public (it names the key in lists and revocations), the secret
is 256 random bits. Only the SHA-256 of the whole key is stored; a presented key is checked against it
in constant time.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from cachetools import TTLCache

from api.keys import repository
from api.keys.repository import KeyRecord
from models.contact import utc_now

PREFIX = "ck_"
TENANT_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
_KEY = re.compile(r"^ck_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just created: the only time its secret exists outside the caller's hands."""

    record: KeyRecord
    key: str


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: a tenant, through one of its keys."""

    tenant: str
    key_id: str


class InvalidTenant(ValueError):
    """A tenant name that is not lower-case letters, digits, `_` and `-` (at most 63)."""


def digest(key: str) -> str:
    """The SHA-256 of a key, as stored."""
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(tenant: str, label: str | None = None) -> IssuedKey:
    """Issue a new key for `tenant`."""
    if not re.fullmatch(TENANT_PATTERN, tenant):
        raise InvalidTenant(f"tenant names are lower-case letters, digits, _ and - (at most 63): {tenant!r}")
    key_id = secrets.token_hex(8)
    key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    record: KeyRecord = {
        "id": key_id,
        "tenant": tenant,
        "label": label,
        "secret_sha256": digest(key),
        "created_at": utc_now(),
        "revoked_at": None,
    }
    await repository.insert(record)
    return IssuedKey(record, key)


class KeyRecords:
    """Key records as this worker read them, each for at most `seconds` (0: read on every request).

    A revocation therefore reaches every worker within `seconds`. Only records that exist are kept, at
    most `size` of them, so made-up key ids cannot push out real ones; the secret is checked on every
    request either way.
    """

    def __init__(self, seconds: float, size: int = 10_000) -> None:
        self._records: TTLCache[str, KeyRecord] | None = TTLCache(size, seconds) if seconds > 0 else None

    async def find(self, key_id: str) -> KeyRecord | None:
        """The key with this public id, from this worker's copy while it is fresh."""
        if self._records is None:
            return await repository.find(key_id)
        record = self._records.get(key_id)
        if record is None:
            record = await repository.find(key_id)
            if record is not None:
                self._records[key_id] = record
        return record


async def authenticate(presented: str, records: KeyRecords | None = None) -> Principal | None:
    """The principal of a presented key; None when it is malformed, unknown, wrong or revoked."""
    match = _KEY.fullmatch(presented)
    if match is None:
        return None
    record = await (records or KeyRecords(0)).find(match.group(1))
    if record is None or not hmac.compare_digest(record["secret_sha256"], digest(presented)):
        return None
    if record["revoked_at"] is not None:
        return None
    return Principal(tenant=record["tenant"], key_id=record["id"])


async def list_keys(tenant: str | None = None) -> list[KeyRecord]:
    """Every key (of one tenant), oldest first; records hold no secret."""
    return await repository.find_all(tenant)


async def revoke_key(key_id: str) -> bool:
    """Revoke a key from now on; False when there is no such active key."""
    return await repository.revoke(key_id, utc_now())
