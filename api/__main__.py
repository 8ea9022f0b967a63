"""`python -m api`: the service's command line.

python -m api            serve the API with the settings from the environment (what `make run` runs)
python -m api openapi    print the contract (openapi/openapi.yaml) as the app generates it
python -m api migrate    apply the pending data migrations (--down [N]: roll back; --status: show where it stands)
"""

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedded import FILE_NAME, EmbeddedDatabase

if TYPE_CHECKING:
    from api.settings import Settings


def launch_early() -> EmbeddedDatabase | None:
    """Launch the embedded database now, if the environment names no MONGODB_URL.

    Its child takes about 2 s to import mongoeco and start; this process takes about as long to import
    pydantic-settings and the app. Launched before either import, the two overlap. The settings still decide:
    `serve` stops this child if they name another database.
    """
    if os.environ.get("MONGODB_URL"):
        return None
    early = EmbeddedDatabase(Path(os.environ.get("DATA_DIR") or "data") / FILE_NAME)
    early.launch()
    return early


def load_settings() -> "Settings":
    """The settings from the environment; invalid ones stop the command with one line per problem."""
    from pydantic import ValidationError

    from api.settings import Settings

    try:
        return Settings()
    except ValidationError as error:
        problems = "\n".join(f"  {'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors())
        sys.exit(f"invalid settings:\n{problems}")


def run_server() -> None:
    """Serve until SIGINT or SIGTERM."""
    early = launch_early()
    try:
        from api.serve import serve

        settings = load_settings()
    except BaseException:
        if early is not None:
            early.stop()
        raise
    serve(settings, early)


def run_keys(arguments: argparse.Namespace) -> None:
    """One `keys` command, on the database the service uses."""
    import asyncio

    from api.keys.cli import run

    sys.exit(asyncio.run(run(arguments, load_settings())))


def run_migrate(arguments: argparse.Namespace) -> None:
    """Apply, roll back or show the data migrations, on the database the service uses."""
    import asyncio

    from api.migrations.cli import run

    sys.exit(asyncio.run(run(arguments, load_settings())))


def print_contract() -> None:
    """Write the app's OpenAPI document as YAML to standard output."""
    from api.app import create_app
    from api.http.contract import render_yaml
    from api.settings import Settings

    sys.stdout.write(render_yaml(create_app(Settings()).openapi()))


def add_keys_commands(commands: Any) -> None:
    """Add `keys create|list|revoke` to the command line's subcommands."""
    keys = commands.add_parser("keys", help="create, list or revoke API keys").add_subparsers(
        dest="keys_command", required=True
    )
    create = keys.add_parser("create", help="create a key for a tenant; prints it once, as the last line")
    create.add_argument("--tenant", required=True, help="the tenant the key acts for (a-z, 0-9, _ and -)")
    create.add_argument("--label", help="a note saying what the key is for")
    listing = keys.add_parser("list", help="list the keys (never their secrets)")
    listing.add_argument("--tenant", help="only this tenant's keys")
    revoke = keys.add_parser("revoke", help="revoke a key; it stops working on the next request")
    revoke.add_argument("id", help="the key's id, as `keys list` shows it")


def add_migrate_command(commands: Any) -> None:
    """Add `migrate [--down [N] | --status]` to the command line's subcommands."""
    migrate = commands.add_parser("migrate", help="apply the pending data migrations (alembic-free-migrations/)")
    choice = migrate.add_mutually_exclusive_group()
    choice.add_argument(
        "--down", nargs="?", const=1, type=int, metavar="N", help="roll back the latest N migrations (default 1)"
    )
    choice.add_argument("--status", action="store_true", help="say where the database stands; change nothing")


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the command (serve when none is given)."""
    parser = argparse.ArgumentParser(prog="python -m api", description="The contacts API.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve the API (the default)")
    commands.add_parser("openapi", help="print the contract as YAML")
    add_keys_commands(commands)
    add_migrate_command(commands)
    arguments = parser.parse_args(argv)
    if arguments.command == "openapi":
        print_contract()
    elif arguments.command == "migrate":
        run_migrate(arguments)
    elif arguments.command == "keys":
        run_keys(arguments)
    else:
        run_server()


if __name__ == "__main__":
    main()
