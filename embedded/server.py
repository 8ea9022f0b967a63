"""The child process: a mongoeco MongoDB-wire server over one SQLite file, with the pinned patches applied.

It serves on a plain asyncio loop (mongoeco's shutdown breaks under uvloop), on loopback only, to one user
whose password is in the file's `.secret` beside it. It holds the file's `.lock` for as long as it runs, so
no second server opens the same file, and creates every file private to the service's user. It prints its
plain URI (no credential) as its first line of output, and stops on SIGTERM, SIGINT, or when its stdin closes.
"""

import asyncio
import contextlib
import fcntl
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from embedded.files import PRIVATE_FILE, USER, DatabaseFiles
from embedded.supervisor import ALREADY_SERVED, LOCK_WAIT_VARIABLE


@contextlib.contextmanager
def exclusive(files: DatabaseFiles) -> Iterator[None]:
    """Hold the file's lock, or exit with ALREADY_SERVED when another process keeps holding it.

    A server whose service was just killed stops by itself (its stdin closes), but not at once: a first
    start waits for it up to the supervisor's LOCK_WAIT seconds (in EMBEDDED_LOCK_WAIT) instead of failing.
    """
    descriptor = os.open(files.lock, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        deadline = time.monotonic() + float(os.environ.get(LOCK_WAIT_VARIABLE) or 0)
        while not _try_lock(descriptor):
            if time.monotonic() > deadline:
                print(f"embedded database: {files.path} is already served by another process", file=sys.stderr)
                sys.exit(ALREADY_SERVED)
            time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)


def _try_lock(descriptor: int) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


async def serve(files: DatabaseFiles, port: int = 0) -> None:
    """Run the wire server on a loopback port (a free one when 0) until told to stop."""
    from mongoeco.engines.sqlite import SQLiteEngine
    from mongoeco.wire import AsyncMongoEcoProxyServer, WireAuthUser

    from embedded.patches import apply

    apply()  # before the engine exists; a PatchMismatchError stops the child before it prints a URI

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    loop.add_reader(sys.stdin.fileno(), lambda: _stop_on_eof(stop))

    user = WireAuthUser(username=USER, password=files.password(), mechanisms=("SCRAM-SHA-256",))
    server = AsyncMongoEcoProxyServer(
        engine=SQLiteEngine(path=str(files.path)), host="127.0.0.1", port=port, auth_users=(user,)
    )
    address = await server.start()
    files.write_address(address.port)
    print(address.uri, flush=True)
    try:
        await stop.wait()
    finally:
        loop.remove_reader(sys.stdin.fileno())
        await server.close()
        files.address.unlink(missing_ok=True)


def _stop_on_eof(stop: asyncio.Event) -> None:
    if not os.read(sys.stdin.fileno(), 1024):
        stop.set()


def main() -> None:
    """Entry point of the child process: `python -m embedded SQLITE_PATH [PORT]`."""
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and not sys.argv[2].isdigit()):
        sys.exit("usage: python -m embedded SQLITE_PATH [PORT]")
    port = int(sys.argv[2]) if len(sys.argv) == 3 else 0
    os.umask(0o077)  # the SQLite file, its journal and every sidecar: readable by this user alone
    files = DatabaseFiles(Path(sys.argv[1]))
    files.prepare_folder()
    with exclusive(files), contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(files, port))
