"""The real app served by uvicorn (uvloop + httptools) on 127.0.0.1, for tests that talk HTTP to it."""

import threading

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings


class LiveServer:
    """The app under uvicorn (uvloop + httptools) in a background thread, on a free loopback port."""

    def __init__(self, settings: Settings, app: FastAPI | None = None) -> None:
        config = uvicorn.Config(
            app or create_app(settings), host="127.0.0.1", port=0, loop="uvloop", http="httptools", log_level="warning"
        )
        self.server = uvicorn.Server(config)
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
