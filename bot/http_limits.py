"""Slow and oversized clients cannot hold the HTTP service's connections.

uvicorn bounds idle keep-alive connections, but not a client that connects and sends nothing, or
dribbles its headers a byte at a time (slow loris), nor headers of any size with httptools.
:class:`GuardedHttpToolsProtocol` (uvicorn's ``http=``) gives each request's headers
``CLIENTCOACH_HEADER_TIMEOUT`` seconds from the connection (or from the first byte of the next
request on a kept-alive one) and ``CLIENTCOACH_MAX_HEADER_BYTES``; past either, the client gets
``408``/``431`` and the connection is closed. The body has its own deadline, in
:class:`bot.server.BodyLimit`. Nothing of this is logged per connection (one slow client must
not fill the logs); it is counted in ``clientcoach_http_refused_total``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bot.config import get_settings
from bot.metrics import METRICS

_REFUSALS = {
    408: b"HTTP/1.1 408 Request Timeout\r\n",
    431: b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
}


def refusal(status: int) -> bytes:
    """A complete response that also ends the connection."""
    return _REFUSALS[status] + b"content-length: 0\r\nconnection: close\r\n\r\n"


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size cap on request headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.header_timeout_s = settings.header_timeout_s
        self.max_header_bytes = settings.max_header_bytes
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._in_headers = True

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_headers:
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes:
                self._refuse(431, "headers_too_large")
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._await_headers()

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._stop_header_timer()
        super().on_headers_complete()

    def _await_headers(self) -> None:
        """Headers are due: from now, unless the deadline already runs (a new connection)."""
        if not self._in_headers:
            self._header_bytes = 0
        self._in_headers = True
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self._in_headers:
            self._refuse(408, "headers_too_slow")

    def _refuse(self, status: int, reason: str) -> None:
        self._stop_header_timer()
        if self.transport.is_closing():
            return
        METRICS.http_refused.labels(reason).inc()
        self.transport.write(refusal(status))
        self.transport.close()
