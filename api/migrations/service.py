"""Where a database stands against the code's migrations, moving it forward or back, and the startup check.

The code's migrations are the files of `alembic-free-migrations/`, in name order (a timestamp starts each name),
exactly as Beanie's runner lists them; the database's place is the current entry of Beanie's log. The database is
*behind* when migrations after its place exist, and *ahead* when its place is a migration this code does not
have (newer code migrated it). The service refuses to start in either case (README: "Migrations"), except:

- a fresh database (no contacts and no migrations log) has nothing to migrate: it is stamped at the last
  migration on its first start, so the first `make run` just works;
- with MIGRATE_ON_START=true a database that is behind is migrated at start instead.
"""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beanie.migrations.database import DBHandler
from beanie.migrations.models import RunningDirections, RunningMode
from beanie.migrations.runner import MigrationNode
from pymongo import AsyncMongoClient

from api.contacts import repository as contacts
from api.database import connect
from api.migrations import repository
from api.settings import Settings

FOLDER = Path(__file__).resolve().parents[2] / "alembic-free-migrations"
# A migration rewrites a collection batch by batch: far past a request's deadline (DB_TIMEOUT).
MIGRATION_TIMEOUT = 600.0
MIGRATE = "run `python -m api migrate` (make migrate) first, or start with MIGRATE_ON_START=true"

Client = AsyncMongoClient[Any]
logger = logging.getLogger("api.migrations")


class MigrationsOutOfStep(RuntimeError):
    """The database and the code disagree about migrations; the message (one line) says what to do."""


@dataclass(frozen=True, slots=True)
class Status:
    """A database's place among the code's migrations."""

    database: str
    known: tuple[str, ...]  # the code's migrations, oldest first
    current: str | None  # the database's place; None: before every migration
    history: bool  # a migration was ever applied or stamped here
    fresh: bool  # no contacts and no migrations log: nothing to migrate

    @property
    def unknown(self) -> bool:
        """The database is at a migration this code does not have: it is ahead of the code."""
        return self.current is not None and self.current not in self.known

    @property
    def pending(self) -> tuple[str, ...]:
        """The code's migrations the database has not had, in the order they run."""
        if self.unknown:
            return ()
        return self.known[self.known.index(self.current) + 1 :] if self.current else self.known

    def describe(self) -> str:
        """One line saying where the database stands."""
        if self.unknown:
            return (
                f"database {self.database!r} is at migration {self.current}, which this code does not have "
                f"(newer code migrated it); run that code, or roll back with its `python -m api migrate --down`"
            )
        at = f"at migration {self.current}" if self.current else "before every migration"
        if not self.pending:
            return f"database {self.database!r} is up to date, {at}"
        return f"database {self.database!r} is {at}; pending: {', '.join(self.pending)}"


def known_migrations(folder: Path = FOLDER) -> tuple[str, ...]:
    """The migrations in `folder`, oldest first: every `.py` file not starting with `_`, as Beanie's runner reads it."""
    return tuple(sorted(path.name for path in folder.glob("[!_]*.py")))


async def status(client: Client, database: str, folder: Path = FOLDER) -> Status:
    """Where `database` stands against the migrations in `folder`."""
    db = client[database]
    current = await repository.current(db)
    history = current is not None or await repository.has_history(db)
    fresh = not history and await contacts.is_empty(db)
    return Status(database, known_migrations(folder), current, history, fresh)


async def upgrade(client: Client, database: str, folder: Path = FOLDER, steps: int = 0) -> list[str]:
    """Apply the pending migrations (only the next `steps` when not 0) with Beanie's runner; the ones applied."""
    before = await _in_step(client, database, folder)
    if not before.pending:
        return []
    await _run(client, database, folder, RunningMode(direction=RunningDirections.FORWARD, distance=steps))
    after = await status(client, database, folder)
    return list(before.pending[: len(before.pending) - len(after.pending)])


async def downgrade(client: Client, database: str, folder: Path = FOLDER, steps: int = 1) -> list[str]:
    """Roll back the latest `steps` applied migrations (their Backward), newest first; the ones rolled back."""
    before = await _in_step(client, database, folder)
    if before.current is None or steps < 1:
        return []
    await _run(client, database, folder, RunningMode(direction=RunningDirections.BACKWARD, distance=steps))
    done = before.known.index(before.current) + 1
    return list(reversed(before.known[done - min(steps, done) : done]))


async def check_on_start(settings: Settings, folder: Path = FOLDER) -> None:
    """Let the service start only on a database in step with the code (see the module's docstring).

    It uses a client of its own, closed before it returns, so that a refusal leaves nothing open and nothing
    changed. Raises MigrationsOutOfStep, whose message is one line, when the database is ahead, or behind
    without MIGRATE_ON_START.
    """
    if settings.mongodb_url is None:
        raise MigrationsOutOfStep("MONGODB_URL is not set")
    database = settings.mongodb_db
    client = connect(settings.mongodb_url.get_secret_value(), MIGRATION_TIMEOUT)
    try:
        found = await status(client, database, folder)
        if found.unknown:
            raise _refused(found.describe())
        if found.fresh and found.known:
            await repository.stamp(client[database], found.known[-1])
            logger.info("fresh database %r stamped at migration %s", database, found.known[-1])
        elif found.pending and not settings.migrate_on_start:
            if not found.history:
                raise _refused(f"database {database!r} holds contacts but has never been migrated; {MIGRATE}")
            behind = f"{len(found.pending)} migration(s) behind the code (next: {found.pending[0]})"
            raise _refused(f"database {database!r} is {behind}; {MIGRATE}")
        elif found.pending:
            for name in await upgrade(client, database, folder):
                logger.info("applied migration %s to database %r (MIGRATE_ON_START)", name, database)
    finally:
        await client.close()


async def _in_step(client: Client, database: str, folder: Path) -> Status:
    found = await status(client, database, folder)
    if found.unknown:
        # Beanie's runner would start over from the first migration: never run it from an unknown place.
        raise MigrationsOutOfStep(found.describe())
    return found


async def _run(client: Client, database: str, folder: Path, mode: RunningMode) -> None:
    # Beanie's runner reaches the database through its DBHandler: hand it this client (timezone-aware, as the
    # service's) rather than have it open another. No transactions: the embedded database has none.
    DBHandler.client = client  # type: ignore[attr-defined]  # what DBHandler.set_db sets, from a URI
    DBHandler.database = client[database]  # type: ignore[attr-defined]
    start = await MigrationNode.build(folder)
    await start.run(mode=mode, allow_index_dropping=False, use_transaction=False)


def _refused(reason: str) -> MigrationsOutOfStep:
    logger.error("refusing to start: %s", reason)
    return MigrationsOutOfStep(reason)
