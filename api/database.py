"""The database lifecycle: one AsyncMongoClient per process, Beanie initialised once."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from typing import Any

import pymongo
from beanie import Document, init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from api.observability.metrics import DATABASE_OPERATIONS
from api.settings import Settings
from embedded import EmbeddedDatabase
from models import DOCUMENT_MODELS


def collection_of(document: type[Document]) -> AsyncCollection[dict[str, Any]]:
    """The driver's collection for a Beanie document, as `init_beanie` bound it (repositories query it raw)."""
    bound: AsyncCollection[dict[str, Any]] = document.get_pymongo_collection()
    return bound


def connect(url: str, timeout: float = 1.0) -> AsyncMongoClient[dict[str, object]]:
    """A client for `url` with timezone-aware UTC datetimes and a deadline on everything it does.

    `timeout` (seconds) bounds each operation end to end (`timeoutMS`: server selection, connection
    checkout and the round trip), so a slow or dead database costs a request at most that long, and the
    API answers 503 instead of waiting; connecting gets at most a second. The driver reconnects by itself.
    """
    milliseconds = int(timeout * 1000)
    return AsyncMongoClient(
        url,
        tz_aware=True,
        timeoutMS=milliseconds,
        serverSelectionTimeoutMS=milliseconds,
        connectTimeoutMS=min(milliseconds, 1000),
        event_listeners=[DATABASE_OPERATIONS],
    )


async def init_models(client: AsyncMongoClient[dict[str, object]], database: str, *, indexes: bool = True) -> None:
    """Bind the document models to `database` and (unless `indexes` is false) create their declared indexes."""
    await init_beanie(database=client[database], document_models=DOCUMENT_MODELS, skip_indexes=not indexes)


async def ping(client: AsyncMongoClient[dict[str, object]], within: float = 1.0) -> bool:
    """True when the server answers a ping within `within` seconds."""
    try:
        # The driver's own deadline (not a task cancellation), so a half-open connection is closed cleanly.
        with pymongo.timeout(within):
            await client.admin.command("ping")
    except PyMongoError:
        return False
    return True


@contextlib.asynccontextmanager
async def opened(
    settings: Settings, operation_deadline: float | None = None
) -> AsyncIterator[AsyncMongoClient[dict[str, object]]]:
    """The database the service uses, for a command run beside it (or without it).

    MongoDB when MONGODB_URL is set; else the embedded database: the one the running service started on
    the same file, or, when none runs, one started for the command and stopped after it.
    """
    embedded: EmbeddedDatabase | None = None
    if settings.mongodb_url is not None:
        url = settings.mongodb_url.get_secret_value()
    elif (running := EmbeddedDatabase.running_uri(settings.embedded_db_path)) is not None:
        url = running
    else:
        embedded = EmbeddedDatabase(settings.embedded_db_path)
        url = await asyncio.to_thread(embedded.start)
    client = connect(url, operation_deadline or settings.db_timeout)
    try:
        await init_models(client, settings.mongodb_db)
        yield client
    finally:
        await client.close()
        if embedded is not None:
            embedded.stop()


async def walk(
    collection: AsyncCollection[dict[str, Any]],
    where: dict[str, Any],
    key: str = "_id",
    batch: int = 200,
    projection: dict[str, int] | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Every document matching `where`, in the order of `key` (unique among them), a page per round trip.

    Pages by `key` instead of one cursor, so each round trip has its own deadline (DB_TIMEOUT) and a long walk
    (an export) holds no cursor open on the server. An index on `where`'s fields then `key` serves it.
    """
    after: Any = None
    while True:
        page_filter = where if after is None else {**where, key: {"$gt": after}}
        page = await collection.find(page_filter, projection).sort(key, 1).limit(batch).to_list()
        for document in page:
            yield document
        if len(page) < batch:
            return
        after = page[-1][key]


async def delete_in_batches(
    collection: AsyncCollection[dict[str, Any]], where: dict[str, Any], batch: int = 500
) -> int:
    """Delete every document matching `where`, a bounded batch per round trip (each within DB_TIMEOUT); how many."""
    deleted = 0
    while ids := [document["_id"] async for document in collection.find(where, {"_id": 1}).limit(batch)]:
        # A range, not `$in`: the embedded database answers `$in` by reading the whole collection. What else in
        # the range matches `where` goes too, as it is meant to.
        page = {"$and": [where, {"_id": {"$gte": min(ids), "$lte": max(ids)}}]}
        deleted += (await collection.delete_many(page)).deleted_count
    return deleted


def any_of(field: str, values: Iterable[Any]) -> dict[str, Any]:
    """A filter matching documents whose `field` is one of a few `values` (at most a page or batch of them).

    `$or` of equalities rather than `$in`: the embedded database answers `$in` by reading the whole collection
    (250 ms at 10k contacts, against 10 ms), and MongoDB serves both from the index.
    """
    return {"$or": [{field: value} for value in values]}


def in_batches[Item](items: list[Item], size: int = 100) -> Iterable[list[Item]]:
    """`items` a batch of at most `size` at a time (what one `any_of` filter should name)."""
    return (items[start : start + size] for start in range(0, len(items), size))
