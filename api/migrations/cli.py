"""`python -m api migrate`: apply, roll back or show the data migrations, on the database the service uses.

That is MongoDB when MONGODB_URL is set; else the embedded database a running service holds on DATA_DIR, or one
started for the command and stopped after it (`api.database.opened`).
"""

import argparse
import logging
import sys

from api.database import opened
from api.migrations import service
from api.migrations.service import MIGRATION_TIMEOUT
from api.settings import Settings


async def run(arguments: argparse.Namespace, settings: Settings) -> int:
    """Run one `migrate` command; the exit status (1 when the database is ahead of the code)."""
    # The migrations report what they did (moved, converted, backfilled) through logging.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    for name in ("api.migrations", "migrations"):
        logging.getLogger(name).setLevel(logging.INFO)
    database = settings.mongodb_db
    async with opened(settings, MIGRATION_TIMEOUT) as client:
        try:
            if arguments.status:
                found = await service.status(client, database)
                if found.unknown:
                    raise service.MigrationsOutOfStep(found.describe())
            elif arguments.down is not None:
                for name in await service.downgrade(client, database, steps=arguments.down):
                    print(f"rolled back {name}")
            else:
                for name in await service.upgrade(client, database):
                    print(f"applied {name}")
        except service.MigrationsOutOfStep as error:
            print(error, file=sys.stderr)
            return 1
        print((await service.status(client, database)).describe())
    return 0
