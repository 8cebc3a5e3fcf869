"""A local stand-in for the Telegram Bot API, over real HTTP on 127.0.0.1.

Point ``TELEGRAM_API_URL`` at ``stand_in.api_url`` (``http://127.0.0.1:PORT/bot``). It answers
``getMe``, ``setMyCommands``, ``setMyDescription``, ``setMyShortDescription``,
``answerInlineQuery``, ``sendMessage``, ``editMessageText``, ``editMessageReplyMarkup``,
``answerCallbackQuery``, ``getUpdates``, ``setWebhook``, ``deleteWebhook`` and
``getWebhookInfo`` with realistic shapes, records every call, and checks what Telegram checks:
HTML that does not parse (unknown tag, unbalanced tag, bare ``<`` or ``&``), texts over 4096
characters, ``callback_data`` over 64 bytes and bad command names are answered with a 400, as
Telegram does. It can be told to fail: ``fail("sendMessage", 429, retry_after=1)``,
``fail(..., 502)``, ``delay(..., 2.0)``. Sockets set ``TCP_NODELAY`` so keep-alive clients do
not stall.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from bot.standins.recording import CallLog

BOT_ID = 7000000001
BOT_USERNAME = "clientcoach_test_bot"
TOKEN = f"{BOT_ID}:AAtest-stand-in-token"
MAX_TEXT = 4096

RAW_STRING_FIELDS = {
    "text", "parse_mode", "callback_query_id", "url", "secret_token", "language_code",
    "inline_message_id", "ip_address", "inline_query_id", "description", "short_description",
}
TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "code": "code", "pre": "pre", "a": "text_link", "blockquote": "blockquote",
    "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip
ENTITY_REF = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
SCOPES = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}


class ApiError(Exception):
    """An answer with ``ok: false``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: plain text and entities, or :class:`ApiError` (400)."""
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, dict[str, str]]] = []
    offset = 0
    i = 0
    while i < len(source):
        char = source[i]
        if char == "<":
            end = source.find(">", i)
            if end < 0:
                raise ApiError(400, "Bad Request: can't parse entities: unclosed start tag")
            tag = source[i + 1 : end].strip()
            if tag.startswith("/"):
                name = tag[1:].strip().lower()
                if not stack or stack[-1][0] != name:
                    raise ApiError(400, f"Bad Request: can't parse entities: unmatched </{name}>")
                name, start, attrs = stack.pop()
                if offset > start:
                    entity: dict[str, Any] = {
                        "type": TAGS[name], "offset": start, "length": offset - start,
                    }  # fmt: skip
                    if name == "a":
                        entity["url"] = attrs.get("href", "")
                    entities.append(entity)
            else:
                name, _, rest = tag.partition(" ")
                name = name.lower()
                if name not in TAGS:
                    raise ApiError(
                        400, f"Bad Request: can't parse entities: unsupported start tag {name!r}"
                    )
                attrs = dict(re.findall(r'(\w+)="([^"]*)"', rest))
                stack.append((name, offset, attrs))
            i = end + 1
        elif char == "&":
            match = ENTITY_REF.match(source, i)
            if not match:
                raise ApiError(400, "Bad Request: can't parse entities: unescaped &")
            decoded = html.unescape(match.group(0))
            out.append(decoded)
            offset += utf16_len(decoded)
            i = match.end()
        elif char == ">":
            raise ApiError(400, "Bad Request: can't parse entities: unescaped >")
        else:
            out.append(char)
            offset += utf16_len(char)
            i += 1
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: unclosed <{stack[-1][0]}>")
    return "".join(out), sorted(entities, key=lambda e: e["offset"])


def check_markup(markup: Any) -> None:
    """An inline keyboard as Telegram validates it."""
    if markup is None:
        return
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: button text must be non-empty")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            url = button.get("url")
            if data is None and url is None:
                raise ApiError(400, "Bad Request: button has no action")
            if url is not None and not url.startswith(("https://", "http://", "tg://")):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")


class TelegramStandIn(CallLog):
    """The Bot API on ``127.0.0.1``; use as a context manager or call start()/close()."""

    def __init__(self, *, token: str = TOKEN, privacy_mode: bool = True) -> None:
        super().__init__()
        self.token = token
        self.privacy_mode = privacy_mode
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.known: dict[tuple[int, int], dict[str, Any]] = {}
        self.webhook: dict[str, Any] = {}
        self._updates: list[dict[str, Any]] = []
        self._ids = itertools.count(5001)
        self._new_update = threading.Condition(self._lock)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stand_in = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- life cycle ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> TelegramStandIn:
        self._thread.start()
        return self

    def close(self) -> None:
        with self._new_update:
            self._new_update.notify_all()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> TelegramStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- test controls -------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for ``getUpdates``."""
        self.remember_update(update)
        with self._new_update:
            self._updates.append(update)
            self._new_update.notify_all()

    def remember_update(self, update: dict[str, Any]) -> None:
        """Keep a person's message so replies to it carry ``reply_to_message`` as Telegram's do."""
        message = update.get("message")
        if isinstance(message, dict) and "chat" in message and "message_id" in message:
            with self._lock:
                self.known[(message["chat"]["id"], message["message_id"])] = message

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent, as Telegram returned them (plain ``text`` + ``entities``)."""
        with self._lock:
            found = [m for m in self.messages.values() if m.get("_sent")]
        return [
            {k: v for k, v in m.items() if k != "_sent"}
            for m in found
            if chat_id is None or m["chat"]["id"] == chat_id
        ]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    async def wait_for(
        self, predicate: Callable[[TelegramStandIn], bool], timeout: float = 5.0
    ) -> None:
        """Wait (bounded) until ``predicate(self)`` holds; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                methods = [c.method for c in self.calls]
                raise AssertionError(f"stand-in: condition not met in {timeout}s; calls {methods}")
            await asyncio.sleep(0.01)

    async def settle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until no call arrived for ``quiet`` seconds (for "nothing more is sent")."""
        deadline = time.monotonic() + timeout
        count = -1
        while time.monotonic() < deadline:
            if len(self.calls) == count:
                return
            count = len(self.calls)
            await asyncio.sleep(quiet)
        raise AssertionError("stand-in: calls kept arriving")

    # -- the API -------------------------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any]) -> Any:
        self.record(Call(method, params))
        failure = self._next_failure(method)
        if failure is not None:
            if failure.delay:
                time.sleep(failure.delay)
            if failure.status == 429:
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {failure.retry_after or 1}",
                    failure.retry_after or 1,
                )
            if failure.status >= 400:
                raise ApiError(failure.status, "Internal Server Error")
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(params)

    def api_getMe(self, params: dict[str, Any]) -> Any:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Client Coach",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": True,
        }

    def api_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or not commands or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a non-empty list")
        for command in commands:
            if not COMMAND_NAME.match(command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = params.get("scope")
        if scope is not None and scope.get("type") not in SCOPES:
            raise ApiError(400, "Bad Request: BOT_COMMAND_SCOPE_INVALID")
        return True

    def api_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    def api_setMyDescription(self, params: dict[str, Any]) -> Any:
        return self._description(params, "description", 512)

    def api_setMyShortDescription(self, params: dict[str, Any]) -> Any:
        return self._description(params, "short_description", 120)

    @staticmethod
    def _description(params: dict[str, Any], name: str, limit: int) -> Any:
        text = params.get(name, "")
        if not isinstance(text, str) or len(text) > limit:
            raise ApiError(400, f"Bad Request: {name.upper()}_INVALID")
        code = params.get("language_code") or ""
        if code and not re.fullmatch(r"[a-z]{2}", code):
            raise ApiError(400, "Bad Request: LANGUAGE_CODE_INVALID")
        return True

    def api_answerInlineQuery(self, params: dict[str, Any]) -> Any:
        """Checked as Telegram checks it: at most 50 results, ids of 1-64 bytes and unique,
        articles with a title and a message of 1-4096 characters, a valid button."""
        if not params.get("inline_query_id"):
            raise ApiError(400, "Bad Request: QUERY_ID_INVALID")
        results = params.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id", "") for r in results]
        if len(set(ids)) != len(ids) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            text = content.get("message_text")
            if result.get("type") != "article" or not result.get("title"):
                raise ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
            if not isinstance(text, str) or not 1 <= utf16_len(text) <= MAX_TEXT:
                raise ApiError(400, "Bad Request: MESSAGE_EMPTY")
        button = params.get("button")
        if button is not None:
            start = button.get("start_parameter", "")
            if not button.get("text") or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", start):
                raise ApiError(400, "Bad Request: START_PARAM_INVALID")
        return True

    def api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        return True

    def api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    def api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": 0}  # fmt: skip

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        if not params.get("callback_query_id"):
            raise ApiError(400, "Bad Request: query id is empty")
        if len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _text(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        source = params.get("text")
        if not isinstance(source, str):
            raise ApiError(400, "Bad Request: message text is empty")
        if params.get("parse_mode") == "HTML":
            text, entities = parse_html(source)
        else:
            text, entities = source, []
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    @staticmethod
    def _chat(chat_id: Any) -> dict[str, Any]:
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Person"}
        kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
        return {"id": chat_id, "type": kind, "title": "Freelancers"}

    def api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params.get("chat_id"))
        text, entities = self._text(params)
        markup = params.get("reply_markup")
        check_markup(markup)
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Client Coach",
                     "username": BOT_USERNAME},
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }  # fmt: skip
        if entities:
            message["entities"] = entities
        if markup and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        thread = params.get("message_thread_id")
        if thread:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        reply = params.get("reply_parameters") or {}
        if reply.get("message_id"):
            key = (chat["id"], reply["message_id"])
            with self._lock:
                original = self.known.get(key) or self.messages.get(key)
            if original is not None:
                message["reply_to_message"] = {
                    k: v for k, v in original.items() if k not in ("_sent", "reply_to_message")
                }
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        with self._lock:
            self.messages[(chat["id"], message["message_id"])] = {**message, "_sent": True}
        return message

    def _edited(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise ApiError(400, "Bad Request: message identifier is not specified")
        with self._lock:
            message = self.messages.get((chat["id"], message_id))
        if message is None:  # a message from a recorded fixture: known only to the test
            bot = {"id": BOT_ID, "is_bot": True, "first_name": "Client Coach"}
            now = int(time.time())
            message = {"message_id": message_id, "chat": chat, "date": now, "from": bot}
        return message

    def api_editMessageText(self, params: dict[str, Any]) -> Any:
        message = self._edited(params)
        text, entities = self._text(params)
        markup = params.get("reply_markup")
        check_markup(markup)
        message = {**message, "text": text, "entities": entities, "edit_date": int(time.time())}
        if not entities:
            message.pop("entities")
        message.pop("reply_markup", None)
        if markup and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        with self._lock:
            self.messages[(message["chat"]["id"], message["message_id"])] = message
        return {k: v for k, v in message.items() if k != "_sent"}

    def api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        message = dict(self._edited(params))
        markup = params.get("reply_markup")
        check_markup(markup)
        message.pop("reply_markup", None)
        if markup and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        with self._lock:
            self.messages[(message["chat"]["id"], message["message_id"])] = message
        return {k: v for k, v in message.items() if k != "_sent"}

    def api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = params.get("offset") or 0
        limit = params.get("limit") or 100
        timeout = min(float(params.get("timeout") or 0), 2.0)  # bounded long poll
        deadline = time.monotonic() + timeout
        with self._new_update:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._new_update.wait(deadline - time.monotonic())
            return list(self._updates[:limit])


def decode_params(body: bytes, content_type: str) -> dict[str, Any]:
    """PTB sends forms whose non-string fields are JSON; JSON bodies are accepted too."""
    if not body:
        return {}
    if content_type.startswith("application/json"):
        data = json.loads(body)
        return data if isinstance(data, dict) else {}
    params: dict[str, Any] = {}
    for name, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        if name in RAW_STRING_FIELDS:
            params[name] = value
            continue
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    stand_in: TelegramStandIn

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        return

    def do_GET(self) -> None:  # noqa: N802
        self.do_POST()

    def do_POST(self) -> None:  # noqa: N802
        stand_in = self.server.stand_in
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        prefix = f"/bot{stand_in.token}/"
        if not self.path.startswith(prefix):
            self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        method = self.path[len(prefix) :].split("?", 1)[0]
        try:
            params = decode_params(body, self.headers.get("Content-Type", ""))
            result = stand_in.handle(method, params)
        except ApiError as exc:
            answer: dict[str, Any] = {
                "ok": False, "error_code": exc.status, "description": exc.description,
            }  # fmt: skip
            headers = {}
            if exc.retry_after is not None:
                answer["parameters"] = {"retry_after": exc.retry_after}
                headers["Retry-After"] = str(exc.retry_after)
            self._answer(exc.status, answer, headers)
            return
        except Exception as exc:  # noqa: BLE001 - a stand-in bug shows as a 500, not a hang
            self._answer(500, {"ok": False, "error_code": 500, "description": repr(exc)})
            return
        self._answer(200, {"ok": True, "result": result})

    def _answer(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(data).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass
