"""Where a database stands, moving it with Beanie's runner, and the startup check, on a real database.

The runner is driven through made-up migrations written to a temporary folder (so these tests hold whatever the
real migrations do), and the startup check through the app's lifespan with the real folder.
"""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient, MongoClient
from pymongo.database import Database

from api.app import create_app
from api.migrations import repository
from api.migrations.service import FOLDER, MigrationsOutOfStep, downgrade, known_migrations, status, upgrade
from api.settings import Settings
from tests.paths import REPO_ROOT

Client = AsyncMongoClient[dict[str, Any]]
HEAD = known_migrations()[-1]
FIRST = known_migrations()[0]
MARKER = '''# mypy: allow-untyped-decorators
"""A made-up migration: forward adds a mark, backward removes it."""

from beanie import Document, free_fall_migration


class Mark(Document):
    class Settings:
        name = "marks"


class Forward:
    @free_fall_migration(document_models=[Mark])
    async def mark(self, session):
        await Mark.get_pymongo_collection().insert_one({{"_id": "{name}"}}, session=session)


class Backward:
    @free_fall_migration(document_models=[Mark])
    async def unmark(self, session):
        await Mark.get_pymongo_collection().delete_one({{"_id": "{name}"}}, session=session)
'''


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three made-up migrations, a helper Beanie skips (leading `_`) and a README."""
    for name in ("20260101000000_one", "20260102000000_two", "20260103000000_three"):
        (tmp_path / f"{name}.py").write_text(MARKER.format(name=name))
    (tmp_path / "_helpers.py").write_text("")
    (tmp_path / "README.md").write_text("")
    return tmp_path


def marks(database: Database[Any]) -> list[str]:
    return sorted(document["_id"] for document in database.marks.find())


async def start(settings: Settings) -> None:
    """Run the app's lifespan to the point where it serves, and stop it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        pass


def test_the_migrations_are_the_folders_python_files_in_name_order(folder: Path) -> None:
    assert known_migrations(folder) == ("20260101000000_one.py", "20260102000000_two.py", "20260103000000_three.py")


def test_the_real_migrations_are_timestamped_and_alone_in_their_folder() -> None:
    files = sorted(path.name for path in FOLDER.iterdir() if path.name != "__pycache__")

    assert files == [*known_migrations(), "README.md"]
    assert all(len(name.split("_", 1)[0]) == 14 and name.split("_", 1)[0].isdigit() for name in known_migrations())


async def test_upgrade_applies_in_order_and_downgrade_rolls_back_newest_first(
    mongo: Client, settings: Settings, database: Database[Any], folder: Path
) -> None:
    db = settings.mongodb_db

    first = await upgrade(mongo, db, folder, steps=1)
    rest = await upgrade(mongo, db, folder)
    again = await upgrade(mongo, db, folder)
    at_head = await status(mongo, db, folder)
    back = await downgrade(mongo, db, folder, steps=2)
    after_back = marks(database)
    to_start = await downgrade(mongo, db, folder, steps=5)
    at_start = await status(mongo, db, folder)

    assert first == ["20260101000000_one.py"]
    assert rest == ["20260102000000_two.py", "20260103000000_three.py"]
    assert again == []
    assert (at_head.current, at_head.pending) == ("20260103000000_three.py", ())
    assert back == ["20260103000000_three.py", "20260102000000_two.py"]
    assert after_back == ["20260101000000_one"]
    assert to_start == ["20260101000000_one.py"]
    assert (at_start.current, at_start.history, at_start.fresh) == (None, True, False)
    assert at_start.pending == known_migrations(folder)
    assert marks(database) == []


async def test_a_database_at_a_migration_the_code_lacks_is_never_run_from(
    mongo: Client, settings: Settings, database: Database[Any], folder: Path
) -> None:
    # Beanie's runner would start over from the first migration: ours refuses to run at all.
    await repository.stamp(mongo[settings.mongodb_db], "20990101000000_future.py")

    found = await status(mongo, settings.mongodb_db, folder)
    with pytest.raises(MigrationsOutOfStep, match=r"20990101000000_future\.py, which this code does not have"):
        await upgrade(mongo, settings.mongodb_db, folder)
    with pytest.raises(MigrationsOutOfStep):
        await downgrade(mongo, settings.mongodb_db, folder)

    assert found.unknown
    assert found.pending == ()
    assert marks(database) == []


async def test_a_fresh_database_is_stamped_at_the_last_migration_on_its_first_start(
    mongo: Client, settings: Settings
) -> None:
    before = await status(mongo, settings.mongodb_db)

    await start(settings)

    after = await status(mongo, settings.mongodb_db)
    assert (before.fresh, before.current) == (True, None)
    assert (after.fresh, after.current, after.pending) == (False, HEAD, ())


async def test_a_database_behind_the_code_refuses_to_start_with_a_one_line_reason(
    mongo: Client, settings: Settings
) -> None:
    # Rolled back to before every migration: behind, though it holds no contacts (its log says it has a past).
    await repository.stamp(mongo[settings.mongodb_db], repository.START)

    with pytest.raises(MigrationsOutOfStep) as refused:
        await start(settings)

    reason = str(refused.value)
    assert "\n" not in reason
    behind = f"database {settings.mongodb_db!r} is {len(known_migrations())} migration(s) behind the code"
    assert reason.startswith(f"{behind} (next: {FIRST}); run `python -m api migrate` (make migrate) first")
    assert reason.endswith("or start with MIGRATE_ON_START=true")
    assert (await status(mongo, settings.mongodb_db)).current is None


async def test_a_database_with_contacts_and_no_migrations_log_is_behind(
    mongo: Client, settings: Settings, database: Database[Any]
) -> None:
    database.contacts.insert_one({"name": "masnun"})

    with pytest.raises(MigrationsOutOfStep, match="holds contacts but has never been migrated; run `python -m api"):
        await start(settings)

    assert (await status(mongo, settings.mongodb_db)).current is None


@pytest.mark.parametrize("migrate_on_start", [False, True])
async def test_a_database_ahead_of_the_code_refuses_to_start(
    mongo: Client, settings: Settings, migrate_on_start: bool
) -> None:
    await repository.stamp(mongo[settings.mongodb_db], "20990101000000_future.py")

    with pytest.raises(MigrationsOutOfStep, match=r"is at migration 20990101000000_future\.py, which this code") as r:
        await start(settings.model_copy(update={"migrate_on_start": migrate_on_start}))

    assert "\n" not in str(r.value)


async def test_migrate_on_start_applies_the_pending_migrations(mongo: Client, settings: Settings) -> None:
    await repository.stamp(mongo[settings.mongodb_db], repository.START)

    await start(settings.model_copy(update={"migrate_on_start": True}))

    assert (await status(mongo, settings.mongodb_db)).current == HEAD


@pytest.mark.slow
def test_python_m_api_stops_with_the_reason_when_the_database_is_behind(settings: Settings) -> None:
    assert settings.mongodb_url is not None
    env = {name: value for name, value in os.environ.items() if name not in {"DATA_DIR", "WORKERS"}} | {
        "MONGODB_URL": settings.mongodb_url.get_secret_value(),
        "MONGODB_DB": settings.mongodb_db,
        "PORT": "0",
    }
    with MongoClient[dict[str, Any]](env["MONGODB_URL"]) as client:
        client[settings.mongodb_db].contacts.insert_one({"name": "masnun"})

    served = subprocess.run(
        [sys.executable, "-m", "api"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    output = served.stdout + served.stderr
    assert served.returncode == 2
    assert f"refusing to start: database {settings.mongodb_db!r} holds contacts but has never been migrated" in output
    assert "Traceback" not in output
