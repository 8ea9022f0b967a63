"""`Idempotency-Key`: the same key and request within 24 hours gets the first request's result again."""

import contextlib
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from typing import Any

import orjson
from pymongo.errors import PyMongoError

from api.errors import ApiError, Conflict
from api.idempotency import repository
from api.scope import Scope
from models.contact import new_contact_id, utc_now
from models.idempotency import IDEMPOTENCY_WINDOW

LEASE = timedelta(seconds=10)  # how long a claim's holder may work before a retry may take over

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


Create = Callable[[str], Awaitable[Result]]  # creates the resource with this id; raises Exists if it exists
Recover = Callable[[str], Awaitable[Result | None]]  # the resource with this id, if it was created


class Exists(Exception):
    """The resource to create exists already: an earlier attempt under the same key created it."""


async def run_once(scope: Scope, request: IdempotentRequest, create: Create, recover: Recover) -> Outcome:
    """Create for the first request with this key; give the same result to the same request again.

    The claim records the id of what it creates, so a retry after a crash finds what was stored and
    replays it, and takes the claim over once its lease has ended if nothing was. A key reused with
    another request is a 422; while the first request still runs (its lease), the same one is a 409.
    """
    for _ in range(3):
        claim = await repository.find(scope, request.key)
        now = utc_now()
        if claim is not None and claim["created_at"] < now - IDEMPOTENCY_WINDOW:
            await repository.release(scope, request.key, created_before=now - IDEMPOTENCY_WINDOW)
            claim = None  # expired: the TTL monitor has not got to it yet
        if claim is None:
            resource_id = new_contact_id()
            if await repository.claim(scope, request.key, request.fingerprint, resource_id, now + LEASE):
                return await _create(scope, request, resource_id, create, recover)
            continue  # a concurrent request claimed it first: look again
        if claim["fingerprint"] != request.fingerprint:
            raise KeyReused("This Idempotency-Key was used with a different request body.")
        if claim["result"] is not None:
            return Outcome(claim["result"], replayed=True)
        stored = await recover(claim["resource_id"]) if claim["resource_id"] is not None else None
        if stored is not None:  # its request stored it, then died before it could remember so
            await repository.complete(scope, request.key, stored)
            return Outcome(stored, replayed=True)
        if claim["lease_until"] > now or claim["resource_id"] is None:
            raise KeyInFlight
        if await repository.take_over(scope, request.key, claim["lease_until"], now + LEASE):
            return await _create(scope, request, claim["resource_id"], create, recover)
    raise KeyInFlight


async def _create(
    scope: Scope, request: IdempotentRequest, resource_id: str, create: Create, recover: Recover
) -> Outcome:
    try:
        result = await create(resource_id)
    except Exists:
        found = await recover(resource_id)
        if found is None:
            raise
        result = found
    except BaseException:
        # The outcome may be unknown (the database stopped answering): keep the claim and its resource id,
        # so that a retry finds what was stored, or takes over and creates it with the same id.
        with contextlib.suppress(PyMongoError):
            await repository.end_lease(scope, request.key)
        raise
    await repository.complete(scope, request.key, result)
    return Outcome(result, replayed=False)
