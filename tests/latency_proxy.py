"""A TCP proxy on 127.0.0.1 that holds back the server's answers to chosen commands: a busy database."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit


@contextlib.asynccontextmanager
async def latency_proxy(url: str, delay: float, command: bytes) -> AsyncIterator[str]:
    """`url` (mongodb://user:pass@host:port/...) rewritten to a proxy on a free port.

    The answer to any request whose bytes hold `command` (b"createIndexes", say) is held back `delay` seconds;
    everything else (the handshake, a ping) passes at once.
    """
    target = urlsplit(url)
    host, port = target.hostname or "127.0.0.1", target.port or 27017

    async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(host, port)
        slow = asyncio.Event()  # the request now waiting for its answer is a slow one

        async def requests() -> None:
            while chunk := await client_reader.read(65536):
                if command in chunk:
                    slow.set()
                server_writer.write(chunk)
                await server_writer.drain()
            server_writer.close()

        async def answers() -> None:
            while chunk := await server_reader.read(65536):
                if slow.is_set():
                    slow.clear()
                    await asyncio.sleep(delay)
                client_writer.write(chunk)
                await client_writer.drain()
            client_writer.close()

        await asyncio.gather(requests(), answers(), return_exceptions=True)

    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    proxy_port = server.sockets[0].getsockname()[1]
    credentials = target.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{proxy_port}" if credentials else f"127.0.0.1:{proxy_port}"
    try:
        yield urlunsplit(target._replace(netloc=netloc))
    finally:
        server.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), 1)
