"""`Idempotency-Key` for creates: the same key and body within 24 hours replays the first response."""

import hashlib
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import orjson
from pymongo.errors import DuplicateKeyError

from api.errors import ApiError, Conflict
from api.services.scope import Scope
from models.contact import utc_now
from models.idempotency import IDEMPOTENCY_WINDOW, IdempotencyRecord


class KeyReused(ApiError):
    """The key was first used with a different request."""

    status = HTTPStatus.UNPROCESSABLE_CONTENT
    type = "/problems/idempotency-key-reused"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The response to replay for a key."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def fingerprint(operation: str, body: Any) -> str:
    """A digest of the operation and the request body (key order does not matter)."""
    return hashlib.sha256(operation.encode() + b"\0" + orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _record_id(scope: Scope, key: str) -> str:
    return hashlib.sha256(f"{scope.tenant}\0{key}".encode()).hexdigest()


async def claim(scope: Scope, key: str, request_fingerprint: str) -> StoredResponse | None:
    """Claim `key` for this request (None: go ahead), or return the first response to replay."""
    record_id = _record_id(scope, key)
    for _ in range(2):
        record = await IdempotencyRecord.get(record_id)
        if record is not None and record.created_at < utc_now() - IDEMPOTENCY_WINDOW:
            await record.delete()  # expired; the TTL monitor has not got to it yet
            record = None
        if record is None:
            try:
                await IdempotencyRecord(
                    id=record_id, tenant=scope.tenant, fingerprint=request_fingerprint, created_at=utc_now()
                ).insert()
            except DuplicateKeyError:
                continue  # a concurrent request claimed it first: look again
            return None
        if record.fingerprint != request_fingerprint:
            raise KeyReused("This Idempotency-Key was used with a different request body.")
        if record.status is None or record.body is None:
            raise Conflict("A request with this Idempotency-Key is still in progress; retry later.")
        return StoredResponse(record.status, record.body, record.headers)
    raise Conflict("A request with this Idempotency-Key is still in progress; retry later.")


async def remember(scope: Scope, key: str, response: StoredResponse) -> None:
    """Store the response of the request that claimed `key`."""
    record = await IdempotencyRecord.get(_record_id(scope, key))
    if record is not None:
        record.status, record.body, record.headers = response.status, response.body, response.headers
        await record.save()


async def release(scope: Scope, key: str) -> None:
    """Forget a claim whose request failed, so the key can be used again."""
    await IdempotencyRecord.find_one(IdempotencyRecord.id == _record_id(scope, key)).delete()
