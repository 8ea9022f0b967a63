"""Helpers for the migrations' tests: a migration by its slug, its module, and where the database stands."""

import importlib.util
from types import ModuleType

from api.migrations.repository import START
from api.migrations.service import FOLDER, known_migrations


def migration(slug: str) -> str:
    """The file name of the migration named `slug` (its name without the timestamp)."""
    (name,) = (name for name in known_migrations() if name.split("_", 1)[1] == f"{slug}.py")
    return name


def module(slug: str) -> ModuleType:
    """The migration's module, loaded from its file as Beanie's runner loads it (for its conversion functions)."""
    path = FOLDER / migration(slug)
    spec = importlib.util.spec_from_file_location(f"migration_{slug}", path)
    assert spec is not None
    assert spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def before(slug: str) -> str:
    """The migration just before `slug` (the log entry that says a database is ready for it)."""
    names = known_migrations()
    index = names.index(migration(slug))
    return names[index - 1] if index else START
