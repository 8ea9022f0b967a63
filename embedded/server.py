"""The child process: a mongoeco MongoDB-wire server over one SQLite file, with the pinned patches applied.

It serves on a plain asyncio loop (mongoeco's shutdown breaks under uvloop), prints its
URI as its first line of output, and stops on SIGTERM, SIGINT, or when its stdin closes.
"""

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path


async def serve(path: Path) -> None:
    """Run the wire server on a free loopback port until told to stop."""
    from mongoeco.engines.sqlite import SQLiteEngine
    from mongoeco.wire import AsyncMongoEcoProxyServer

    from embedded.patches import apply

    apply()  # before the engine exists; a PatchMismatchError stops the child before it prints a URI

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    loop.add_reader(sys.stdin.fileno(), lambda: _stop_on_eof(stop))

    server = AsyncMongoEcoProxyServer(engine=SQLiteEngine(path=str(path)), host="127.0.0.1", port=0)
    address = await server.start()
    print(address.uri, flush=True)
    try:
        await stop.wait()
    finally:
        loop.remove_reader(sys.stdin.fileno())
        await server.close()


def _stop_on_eof(stop: asyncio.Event) -> None:
    if not os.read(sys.stdin.fileno(), 1024):
        stop.set()


def main() -> None:
    """Entry point of the child process: `python -m embedded SQLITE_PATH`."""
    if len(sys.argv) != 2:
        sys.exit("usage: python -m embedded SQLITE_PATH")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(Path(sys.argv[1])))
