"""`Idempotency-Key`: the same key and request within 24 hours gets the first request's result again."""

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import orjson

from api.errors import ApiError, Conflict
from api.idempotency import repository
from api.scope import Scope
from models.contact import utc_now
from models.idempotency import IDEMPOTENCY_WINDOW

Result = dict[str, Any]


class KeyReused(ApiError):
    """The key was first used with a different request."""

    status = HTTPStatus.UNPROCESSABLE_CONTENT
    type = "/problems/idempotency-key-reused"


class KeyInFlight(Conflict):
    """The first request with this key has not finished."""

    message = "A request with this Idempotency-Key is still in progress; retry later."


@dataclass(frozen=True, slots=True)
class IdempotentRequest:
    """A request sent with an `Idempotency-Key`: the key and a digest of what was asked."""

    key: str
    fingerprint: str

    @classmethod
    def of(cls, operation: str, key: str, body: Any) -> "IdempotentRequest":
        """The request for `operation` with this JSON `body` (key order does not matter)."""
        digest = hashlib.sha256(operation.encode() + b"\0" + orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
        return cls(key, digest.hexdigest())


@dataclass(frozen=True, slots=True)
class Outcome:
    """An action's result, and whether it is a replay of the first request's."""

    result: Result
    replayed: bool


async def run_once(scope: Scope, request: IdempotentRequest, action: Callable[[], Awaitable[Result]]) -> Outcome:
    """Run `action` for the first request with this key; replay its result for the same request again.

    A key reused with another request is a 422; while the first request runs, the same one is a 409.
    If `action` fails, the key is released so that a retry can run it.
    """
    replay = await _claim(scope, request)
    if replay is not None:
        return Outcome(replay, replayed=True)
    try:
        result = await action()
    except BaseException:
        await repository.release(scope, request.key)
        raise
    await repository.complete(scope, request.key, result)
    return Outcome(result, replayed=False)


async def _claim(scope: Scope, request: IdempotentRequest) -> Result | None:
    for _ in range(2):
        claim = await repository.find(scope, request.key)
        if claim is not None and claim["created_at"] < utc_now() - IDEMPOTENCY_WINDOW:
            # Expired: the TTL monitor has not got to it yet.
            await repository.release(scope, request.key, created_before=utc_now() - IDEMPOTENCY_WINDOW)
            claim = None
        if claim is None:
            if await repository.claim(scope, request.key, request.fingerprint):
                return None
            continue  # a concurrent request claimed it first: look again
        if claim["fingerprint"] != request.fingerprint:
            raise KeyReused("This Idempotency-Key was used with a different request body.")
        if claim["result"] is None:
            raise KeyInFlight
        return claim["result"]
    raise KeyInFlight
