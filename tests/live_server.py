"""The real app served by uvicorn (uvloop, the hardened httptools protocol) on 127.0.0.1, for tests over HTTP."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.http.server_protocol import ServerLimits, protocol_with
from api.serve import server_options
from api.settings import Settings


class _PromptServer(uvicorn.Server):
    """uvicorn's server, noticing a stop request within 10 ms instead of 100 (tests start hundreds of them)."""

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            await asyncio.sleep(0.01)


class LiveServer:
    """The app under uvicorn, as `python -m api` serves it, in a background thread on a free loopback port."""

    def __init__(self, settings: Settings, app: FastAPI | None = None) -> None:
        # The same options as `python -m api`, with the protocol's limits taken from `settings`.
        options = server_options(settings, protocol_with(ServerLimits.of(settings))) | {"log_config": None}
        config = uvicorn.Config(app or create_app(settings), host="127.0.0.1", port=0, **options)
        self.server = _PromptServer(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> str:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the app failed to start")
            self.thread.join(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve while the block runs; its base URL."""
        try:
            yield self.start()
        finally:
            self.stop()
