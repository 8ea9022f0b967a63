"""The database lifecycle: one AsyncMongoClient per process, Beanie initialised once."""

import pymongo
from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from models import DOCUMENT_MODELS


def connect(url: str) -> AsyncMongoClient[dict[str, object]]:
    """A client for `url` that returns timezone-aware UTC datetimes and fails fast when the server is gone."""
    return AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=5000, connectTimeoutMS=2000)


async def init_models(client: AsyncMongoClient[dict[str, object]], database: str) -> None:
    """Bind the document models to `database` and create their declared indexes."""
    await init_beanie(database=client[database], document_models=DOCUMENT_MODELS)


async def ping(client: AsyncMongoClient[dict[str, object]], within: float = 2.0) -> bool:
    """True when the server answers a ping within `within` seconds."""
    try:
        # The driver's own deadline (not a task cancellation), so a half-open connection is closed cleanly.
        with pymongo.timeout(within):
            await client.admin.command("ping")
    except PyMongoError:
        return False
    return True
