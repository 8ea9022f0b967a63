"""`python -m api`: the service's command line.

python -m api            serve the API with the settings from the environment (what `make run` runs)
python -m api openapi    print the contract (openapi/openapi.yaml) as the app generates it
"""

import argparse
import os
import sys
from pathlib import Path

from embedded import FILE_NAME, EmbeddedDatabase


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


def run_server() -> None:
    """Serve until SIGINT or SIGTERM."""
    early = launch_early()
    try:
        from api.serve import serve
        from api.settings import Settings

        settings = Settings()
    except BaseException:
        if early is not None:
            early.stop()
        raise
    serve(settings, early)


def print_contract() -> None:
    """Write the app's OpenAPI document as YAML to standard output."""
    from api.app import create_app
    from api.http.contract import render_yaml
    from api.settings import Settings

    sys.stdout.write(render_yaml(create_app(Settings()).openapi()))


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the command (serve when none is given)."""
    parser = argparse.ArgumentParser(prog="python -m api", description="The contacts API.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve the API (the default)")
    commands.add_parser("openapi", help="print the contract as YAML")
    arguments = parser.parse_args(argv)
    if arguments.command == "openapi":
        print_contract()
    else:
        run_server()


if __name__ == "__main__":
    main()
