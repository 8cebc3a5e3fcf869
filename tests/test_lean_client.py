"""The load benchmark's HTTP client: status codes, keep-alive reuse, and 0 for a connection
refused, dropped or too slow (what the benchmark counts as refused and sends again)."""

from __future__ import annotations

import asyncio
import socket

from bot.bench.lean_client import LeanClient


async def serve(behaviour: str) -> tuple[asyncio.base_events.Server, int, list[int]]:
    """A loopback server: ``ok`` answers 200 (or 503 to a body of ``busy``) and keeps the
    connection, ``drop`` closes it unanswered, ``mute`` never answers."""
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length"))
                body = await reader.readexactly(length)
                if behaviour == "drop":
                    break
                if behaviour == "mute":
                    await asyncio.sleep(5)
                    break
                status = b"503 Service Unavailable" if body == b"busy" else b"200 OK"
                writer.write(b"HTTP/1.1 " + status + b"\r\ncontent-length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], connections


async def test_statuses_and_one_kept_alive_connection():
    server, port, connections = await serve("ok")
    client = LeanClient(limit=4)
    try:
        statuses = [await client.post("127.0.0.1", port, "/x", body, {"x-a": "1"})
                    for body in (b"hello", b"busy", b"again")]
        assert statuses == [200, 503, 200]
        assert len(connections) == 1
    finally:
        await client.close()
        server.close()


async def test_refused_dropped_and_silent_servers_give_0():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    client = LeanClient(limit=4, timeout_s=0.5)
    dropping, drop_port, _ = await serve("drop")
    silent, mute_port, _ = await serve("mute")
    try:
        assert await client.post("127.0.0.1", free, "/x", b"a", {}) == 0
        assert await client.post("127.0.0.1", drop_port, "/x", b"a", {}) == 0
        started = asyncio.get_running_loop().time()
        assert await client.post("127.0.0.1", mute_port, "/x", b"a", {}) == 0
        assert asyncio.get_running_loop().time() - started < 3
    finally:
        await client.close()
        dropping.close()
        silent.close()
