"""A local stand-in for Slack's Web API and response URLs, over real HTTP on 127.0.0.1.

It records every call (method, parameters, headers without the token), answers the methods the
bot uses with realistic shapes, and can be told to fail: ``fail("chat.postMessage", 429,
retry_after=1)``, ``fail(..., 503)``, ``delay(..., 2.0)``. Point ``SLACK_API_URL`` at
``stand_in.api_url``. Any other path (``/hooks/...``) is a response URL and is recorded as the
method ``"response_url"``. Sockets set ``TCP_NODELAY`` so keep-alive clients do not stall.

``SocketModeServer`` is a local WebSocket endpoint for Socket Mode: the stand-in answers
``apps.connections.open`` with its URL; it sends ``hello``, then whatever envelopes a test
pushes, and records the acks.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.standins.recording import CallLog

BOT_USER_ID = "UBOT1"
BOT_ID = "BBOT1"
TEAM_ID = "T0CC1"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    path: str
    authorization: bool
    at: float = field(default_factory=time.monotonic)
    status: int = 200  # what the stand-in answered (a 429 or 5xx showed nothing)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-call (a killed worker) is no error of the stand-in's."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class SlackApiStandIn(CallLog):
    """Start with :meth:`start`, stop with :meth:`stop`; thread-safe recording."""

    def __init__(self) -> None:
        super().__init__()
        self.locales: dict[str, str] = {}
        self.names: dict[str, str] = {}  # users.info real_name by user id
        self.socket_url: str | None = None
        self.oauth_team = TEAM_ID
        self.posted: dict[str, list[dict[str, Any]]] = {}  # channel → messages the bot posted
        self._ts = itertools.count(1)
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    # lifecycle -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base_url}/hooks/{name}"

    def start(self) -> SlackApiStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # control -------------------------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.failures.clear()
            self.posted.clear()

    def replies(self) -> list[Call]:
        """Every call that shows something to a person."""
        shown = {"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"}
        with self._lock:
            return [c for c in self.calls if c.method in shown]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait (without blocking the event loop) until ``method`` was called ``count`` times."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.01)
        raise AssertionError(f"{method} called {len(self.of(method))} times, wanted {count}")

    async def settle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until no call arrived for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            with self._lock:
                now = len(self.calls)
            if now == seen:
                return
            seen = now
            await asyncio.sleep(quiet)

    # answers -------------------------------------------------------------------------------
    def _ts_now(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The JSON body Slack would send back for ``method``."""
        ok: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            return ok | {"url": "https://example.slack.com/", "team": "Coaching", "user": "coach",
                         "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}
        if method == "chat.postMessage":
            ts = self._ts_now()
            message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts,
                       "text": params.get("text"), "blocks": params.get("blocks")}
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            if isinstance(params.get("metadata"), dict):
                message["metadata"] = params["metadata"]
            with self._lock:
                self.posted.setdefault(str(params.get("channel")), []).append(message)
            return ok | {"channel": params.get("channel"), "ts": ts, "message": message}
        if method in ("conversations.history", "conversations.replies"):
            return ok | self._history(method, params)
        if method == "chat.postEphemeral":
            return ok | {"message_ts": self._ts_now()}
        if method == "chat.update":
            return ok | {"channel": params.get("channel"), "ts": params.get("ts"),
                         "text": params.get("text")}
        if method == "views.publish":
            return ok | {"view": {"id": "V1", "type": "home"}}
        if method == "users.info":
            user = str(params.get("user"))
            body: dict[str, Any] = {"id": user, "name": user.lower(), "is_bot": False,
                                    "tz": "Europe/Oslo"}
            if user in self.names:
                body["real_name"] = self.names[user]
                body["profile"] = {"real_name": self.names[user], "display_name": ""}
            if params.get("include_locale") in (True, "true", "1", 1):
                body["locale"] = self.locales.get(user, "en-US")
            return ok | {"user": body}
        if method.startswith("assistant.threads."):
            return self._assistant(method, params)
        if method == "conversations.open":
            return ok | {"channel": {"id": "D" + str(params.get("users", "X"))[1:]}}
        if method == "apps.connections.open":
            return ok | {"url": self.socket_url or "ws://127.0.0.1:9/none"}
        if method == "oauth.v2.access":
            return ok | {
                "app_id": "A0CC1", "authed_user": {"id": "U0INSTALL"},
                "scope": "app_mentions:read,chat:write,commands,im:history,users:read",
                "token_type": "bot", "access_token": "xoxb-from-oauth", "bot_user_id": BOT_USER_ID,
                "team": {"id": self.oauth_team, "name": "Coaching"}, "enterprise": None,
                "is_enterprise_install": False,
            }
        return ok

    def _history(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The bot's own messages in a channel (or one thread), newest first, between
        ``oldest`` and ``latest``, a page of ``limit`` at a time (the cursor is an offset)."""
        with self._lock:
            messages = list(self.posted.get(str(params.get("channel")), []))
        if method == "conversations.replies":
            thread = str(params.get("ts"))
            messages = [m for m in messages if thread in (m["ts"], m.get("thread_ts"))]
        oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or 1e12)
        messages = [m for m in reversed(messages) if oldest <= float(m["ts"]) <= latest]
        if str(params.get("include_all_metadata")).lower() not in ("true", "1"):
            messages = [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
        start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 100)
        page, more = messages[start:start + limit], len(messages) > start + limit
        return {"messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    @staticmethod
    def _assistant(method: str, params: dict[str, Any]) -> dict[str, Any]:
        """``assistant.threads.*`` checked as Slack checks them (up to four prompts)."""
        if not params.get("channel_id") or not params.get("thread_ts"):
            return {"ok": False, "error": "channel_not_found"}
        field_of = {"setStatus": "status", "setTitle": "title"}
        name = method.rsplit(".", 1)[1]
        if name == "setSuggestedPrompts":
            prompts = params.get("prompts")
            if isinstance(prompts, str):
                prompts = json.loads(prompts)
            valid = isinstance(prompts, list) and 1 <= len(prompts) <= 4 and all(
                isinstance(p, dict) and p.get("title") and p.get("message") for p in prompts)
            return {"ok": True} if valid else {"ok": False, "error": "invalid_arguments"}
        if name in field_of and isinstance(params.get(field_of[name]), str):
            return {"ok": True}
        return {"ok": False, "error": "invalid_arguments"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def do_GET(self) -> None:  # noqa: N802
                self._serve(b"")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self._serve(self.rfile.read(length) if length else b"")

            def _serve(self, raw: bytes) -> None:
                url = urlsplit(self.path)
                params: dict[str, Any] = dict(parse_qsl(url.query))
                kind = self.headers.get("Content-Type", "")
                if raw and "json" in kind:
                    params.update(json.loads(raw))
                elif raw:
                    params.update(parse_qsl(raw.decode()))
                for name in ("blocks", "view", "prompts", "metadata"):
                    if isinstance(params.get(name), str):
                        params[name] = json.loads(params[name])
                method = url.path[len("/api/"):] if url.path.startswith("/api/") else "response_url"
                auth = bool(self.headers.get("Authorization") or params.pop("token", None))
                failure = stand_in._next_failure(method)
                if failure and failure.delay:
                    time.sleep(failure.delay)
                status = failure.status if failure else 200
                stand_in.record(Call(method, params, url.path, auth, status=status))
                if failure and failure.status != 200:
                    headers = {}
                    if failure.retry_after is not None:
                        headers["Retry-After"] = str(failure.retry_after)
                    body = {"ok": False, "error": "ratelimited" if failure.status == 429
                            else "internal_error"}
                    self._send(failure.status, body, headers)
                    return
                if method == "response_url":
                    self._send(200, None, {})
                    return
                self._send(200, stand_in.answer(method, params), {})

            def _send(self, status: int, body: dict[str, Any] | None,
                      headers: dict[str, str]) -> None:
                data = b"ok" if body is None else json.dumps(body).encode()
                self.send_response(status)
                kind = "text/plain" if body is None else "application/json; charset=utf-8"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


class SocketModeServer:
    """A WebSocket server on 127.0.0.1 speaking the Socket Mode envelope protocol."""

    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._server: Any = None
        self.connections = 0

    @property
    def url(self) -> str:
        port = self._server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket=local"

    async def start(self) -> SocketModeServer:
        import websockets

        self._server = await websockets.serve(self._session, "127.0.0.1", 0)
        return self

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    def push(self, envelope: dict[str, Any]) -> None:
        self._outbox.put_nowait(envelope)

    async def wait_acks(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.acks) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert len(self.acks) >= count, f"{len(self.acks)} acks, wanted {count}"
        return self.acks

    async def _session(self, ws: Any) -> None:
        self.connections += 1
        await ws.send(json.dumps({"type": "hello", "num_connections": 1,
                                  "connection_info": {"app_id": "A0CC1"}}))

        async def reader() -> None:
            async for message in ws:
                data = json.loads(message)
                if "envelope_id" in data:
                    self.acks.append(data)

        read = asyncio.create_task(reader())
        try:
            while not read.done():
                try:
                    envelope = await asyncio.wait_for(self._outbox.get(), 0.05)
                except TimeoutError:
                    continue
                await ws.send(json.dumps(envelope))
        finally:
            read.cancel()
