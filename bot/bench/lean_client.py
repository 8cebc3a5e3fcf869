"""A lean HTTP/1.1 client for the load benchmark: keep-alive connections, one request at a time
on each, responses read with httptools.

The load generator shares the machine's two cores with what it measures. With aiohttp it spent
about 1.1 ms of CPU on each request, nearly as much as the HTTP workers it was timing; this
client writes the request bytes itself and reads only the status line and the body's end, so
more of the machine is left to the service. What is timed does not change: from the moment a
request is sent (a connection opened first when none is free) to its whole response.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict

import httptools


class _Exchange(asyncio.Protocol):
    """One connection; :meth:`send` writes a request and waits for its response's status."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.answer: asyncio.Future[int] | None = None
        self.open = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._settle(0)
            self.close()

    def on_message_complete(self) -> None:
        if not self.parser.should_keep_alive():
            self.open = False
        self._settle(self.parser.get_status_code())

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        self._settle(0)

    def _settle(self, status: int) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_result(status)

    def close(self) -> None:
        self.open = False
        if self.transport is not None:
            self.transport.close()

    async def send(self, request: bytes, timeout_s: float) -> int:
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        self.answer = loop.create_future()
        self.transport.write(request)
        timer = loop.call_later(timeout_s, self._timed_out)
        try:
            return await self.answer
        finally:
            timer.cancel()

    def _timed_out(self) -> None:
        self._settle(0)
        self.close()


class LeanClient:
    """Keep-alive connections per (host, port), at most ``limit`` open in all."""

    def __init__(self, limit: int, timeout_s: float = 15.0) -> None:
        self.timeout_s = timeout_s
        self._idle: dict[tuple[str, int], list[_Exchange]] = defaultdict(list)
        self._slots = asyncio.Semaphore(limit)
        self._all: set[_Exchange] = set()

    async def post(self, host: str, port: int, path: str, body: bytes,
                   headers: dict[str, str]) -> int:
        """The response's status code; 0 when the connection failed, closed or timed out."""
        head = [f"POST {path} HTTP/1.1", f"host: {host}:{port}",
                f"content-length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        async with self._slots:
            idle = self._idle[(host, port)]
            exchange = idle.pop() if idle else None
            if exchange is None or not exchange.open:
                try:
                    _, exchange = await asyncio.wait_for(
                        asyncio.get_running_loop().create_connection(_Exchange, host, port),
                        self.timeout_s)
                except (OSError, TimeoutError):
                    return 0
                self._all.add(exchange)
            status = await exchange.send(request, self.timeout_s)
            if exchange.open and status:
                idle.append(exchange)
            else:
                exchange.close()
                self._all.discard(exchange)
            return status

    async def close(self) -> None:
        for exchange in list(self._all):
            with contextlib.suppress(Exception):
                exchange.close()
        self._all.clear()
        self._idle.clear()
        await asyncio.sleep(0)
