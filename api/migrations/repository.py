"""The migrations log as Beanie's runner keeps it: which migration the database is at.

Beanie writes `{name, is_current, ts}` to `migrations_log` each time it applies or rolls back one, and marks
the latest current. This module reads that log, and writes one entry the runner's way to stamp a database.
"""

from datetime import UTC, datetime
from typing import Any

from beanie.migrations.models import MigrationLog
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Database = AsyncDatabase[Any]
LOG = MigrationLog.Settings.name
START = "root"  # what the runner records as current once the first migration is rolled back


def log_of(database: Database) -> AsyncCollection[dict[str, Any]]:
    """The migrations log of `database`."""
    return database[LOG]


async def current(database: Database) -> str | None:
    """The migration the database is at (a file name); None when it is at none."""
    # Two runs at once (workers starting together) may each mark one current: the latest wins.
    found = await log_of(database).find_one({"is_current": True}, {"name": 1}, sort=[("_id", -1)])
    return None if found is None or found["name"] == START else str(found["name"])


async def has_history(database: Database) -> bool:
    """Whether any migration was ever applied or stamped here (rolled back ones included)."""
    return await log_of(database).find_one({}, {"_id": 1}) is not None


async def stamp(database: Database, name: str) -> None:
    """Record the database as being at migration `name`, without running anything (as the runner records it)."""
    log = log_of(database)
    await log.update_many({"is_current": True}, {"$set": {"is_current": False}})
    await log.insert_one({"ts": datetime.now(UTC), "name": name, "is_current": True})
