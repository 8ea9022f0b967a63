"""Sync tokens: a place in a tenant's change feed and when it was handed out, signed for that tenant."""

import contextlib
import secrets
import time
from dataclasses import dataclass

from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from api.errors import Gone, MalformedRequest
from api.http.cursors import decode_cursor, encode_cursor
from api.settings import Settings
from models.service_secret import ServiceSecret

KIND = "sync"
_INVALID = "The sync token is not valid; use a sync_token returned by this API, or since=0 to sync in full."


class SyncTokenExpired(Gone):
    """The token is older than SYNC_TOKEN_TTL, or deletions after it were purged: the client must sync in full."""

    type = "/problems/sync-token-expired"
    message = "The sync token has expired; sync in full again (since=0) and keep the new token."


@dataclass(frozen=True, slots=True)
class SyncToken:
    """The last change number a client has, and when the token was handed out (Unix seconds)."""

    seq: int
    issued_at: int


def encode_token(seq: int, secret: bytes, tenant: str) -> str:
    """A token for change number `seq`, handed out now."""
    return encode_cursor([KIND, seq, int(time.time())], secret, tenant)


def decode_token(token: str, secret: bytes, tenant: str) -> SyncToken:
    """The place a token names; "0" is the start. A forged, damaged or other tenant's token is a 400."""
    if token == "0":  # noqa: S105 (the start, not a secret)
        return SyncToken(0, int(time.time()))
    try:
        position = decode_cursor(token, secret, tenant)
    except MalformedRequest:
        raise MalformedRequest(_INVALID) from None
    if len(position) != 3 or position[0] != KIND or not all(type(part) is int for part in position[1:]):
        raise MalformedRequest(_INVALID)
    return SyncToken(position[1], position[2])


async def token_secret(settings: Settings, client: AsyncMongoClient[dict[str, object]]) -> bytes:
    """The key that signs sync tokens: CURSOR_SECRET when set, else one kept in the database.

    Clients keep sync tokens for days, so the key must outlive a restart even when CURSOR_SECRET is unset.
    """
    if settings.cursor_secret is not None:
        return settings.cursor_secret.get_secret_value().encode()
    stored = client[settings.mongodb_db][ServiceSecret.Settings.name]
    with contextlib.suppress(DuplicateKeyError):  # another worker stored it at the same moment: read theirs
        await stored.update_one({"_id": "sync-tokens"}, {"$setOnInsert": {"value": secrets.token_hex(32)}}, upsert=True)
    found = await stored.find_one({"_id": "sync-tokens"})
    if found is None:
        raise RuntimeError("the sync token secret could not be stored")
    return str(found["value"]).encode()
