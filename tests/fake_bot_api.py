"""A fake Telegram Bot API server on loopback that enforces Telegram's limits.

It serves ``/bot<token>/<method>`` like api.telegram.org: getMe, getUpdates (long polling
with offset and timeout; tests ``enqueue`` updates), sendMessage, editMessageText,
answerCallbackQuery, answerInlineQuery, sendChatAction, setMyCommands, getMyCommands,
deleteWebhook, getWebhookInfo, setWebhook, close. Every call is recorded. A request that
Telegram would reject (bad HTML for ``parse_mode=HTML``, text over 4096 characters after entity
parsing, callback data over 64 bytes, more than 50 inline results, an unknown message, an
unchanged edit, a callback query answered twice...) gets Telegram's 400 and is recorded in
``errors``: tests assert there are none. Failures can be injected: ``fail_next`` answers the
next call of a method with an error, ``drop_next`` closes its connection without an answer.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

DROPPED = "connection dropped"
BOT_ID = 7000001
BOT_USERNAME = "urbact_test_bot"
TOKEN = f"{BOT_ID}:AAE_fake-token_for-tests_0123456789abcdef"
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "blockquote",
}  # fmt: skip
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}  # fmt: skip
STRING_PARAMS = {
    "text", "parse_mode", "callback_query_id", "inline_query_id", "language_code", "action",
    "secret_token", "url", "next_offset", "chat_id_str", "message_text",
}  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*(/?)>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_ATTR = re.compile(r"""\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


class ApiError(Exception):
    def __init__(self, description: str, code: int = 400):
        super().__init__(description)
        self.description = description
        self.code = code


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The plain text Telegram shows for ``text`` in HTML mode; ApiError when it is invalid."""
    plain: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "<":
            match = _TAG.match(text, pos)
            if not match:
                raise ApiError(f"Bad Request: can't parse entities: unescaped '<' at {pos}")
            closing, name, attrs, _ = match.groups()
            name = name.lower()
            if name not in ALLOWED_TAGS:
                raise ApiError(
                    f'Bad Request: can\'t parse entities: unsupported start tag "{name}"'
                )
            if closing:
                if attrs.strip():
                    raise ApiError("Bad Request: can't parse entities: attributes in an end tag")
                if not stack or stack[-1] != name:
                    raise ApiError(
                        f"Bad Request: can't parse entities: can't find end tag corresponding "
                        f'to start tag "{stack[-1] if stack else name}"'
                    )
                stack.pop()
            else:
                _check_attributes(name, attrs)
                if (
                    stack
                    and stack[-1] in ("pre", "code")
                    and not (stack[-1] == "pre" and name == "code")
                ):
                    raise ApiError(f'Bad Request: can\'t parse entities: tag "{name}" inside code')
                if name == "a" and "a" in stack:
                    raise ApiError("Bad Request: can't parse entities: nested links")
                stack.append(name)
            pos = match.end()
        elif char == "&":
            match = _ENTITY.match(text, pos)
            if not match:
                raise ApiError(f"Bad Request: can't parse entities: unescaped '&' at {pos}")
            plain.append(html.unescape(match.group()))
            pos = match.end()
        elif char == ">":
            raise ApiError(f"Bad Request: can't parse entities: unescaped '>' at {pos}")
        else:
            plain.append(char)
            pos += 1
    if stack:
        raise ApiError(
            f"Bad Request: can't parse entities: can't find end tag corresponding to start "
            f'tag "{stack[-1]}"'
        )
    return "".join(plain)


def _check_attributes(name: str, attrs: str) -> None:
    found = {}
    for match in _ATTR.finditer(attrs):
        if match.group(1):
            value = next((v for v in match.groups()[1:] if v is not None), "")
            if "<" in value or ("&" in value and _ENTITY.sub("", value).count("&")):
                raise ApiError(
                    "Bad Request: can't parse entities: unescaped character in attribute"
                )
            found[match.group(1).lower()] = html.unescape(value)
    allowed = {"a": {"href"}, "code": {"class"}, "pre": set(), "blockquote": {"expandable"}}
    extra = set(found) - allowed.get(name, set())
    if extra:
        raise ApiError(f"Bad Request: can't parse entities: unsupported attribute {sorted(extra)}")
    if name == "a":
        href = found.get("href", "")
        if not re.match(r"^(https?://|tg://)\S+$", href):
            raise ApiError(f"Bad Request: can't parse entities: bad URL {href!r}")


def check_text(text: Any, parse_mode: str | None, field_name: str = "message") -> str:
    if not isinstance(text, str):
        raise ApiError(f"Bad Request: {field_name} text is missing")
    plain = parse_html(text) if (parse_mode or "").upper() == "HTML" else text
    if parse_mode and parse_mode.upper() not in ("HTML", "MARKDOWN", "MARKDOWNV2"):
        raise ApiError(f"Bad Request: unsupported parse_mode {parse_mode!r}")
    if not plain.strip():
        raise ApiError(f"Bad Request: {field_name} text is empty")
    if utf16_len(plain) > 4096:
        raise ApiError(f"Bad Request: {field_name} is too long")
    return plain


def check_markup(markup: Any) -> None:
    if markup is None:
        return
    if isinstance(markup, dict) and markup.get("force_reply") is True:
        placeholder = markup.get("input_field_placeholder", "")
        if not 0 <= len(placeholder) <= 64:
            raise ApiError("Bad Request: input field placeholder is too long")
        return
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        raise ApiError("Bad Request: unsupported reply markup")
    for row in markup["inline_keyboard"]:
        for button in row:
            if not button.get("text"):
                raise ApiError("Bad Request: inline keyboard button text is empty")
            kinds = {"callback_data", "url", "switch_inline_query"} & set(button)
            if len(kinds) != 1:
                raise ApiError("Bad Request: a button needs exactly one action")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                raise ApiError("Bad Request: BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not re.match(r"^(https?|tg)://\S+$", url):
                raise ApiError("Bad Request: BUTTON_URL_INVALID")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True
    error: str = ""


@dataclass
class FakeBotApi:
    """The server state; ``start()`` serves it on 127.0.0.1 in a thread."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    errors: list[Call] = field(default_factory=list)
    sent: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    answered_queries: set[str] = field(default_factory=set)
    failures: dict[str, list[ApiError]] = field(default_factory=dict)
    admins: set[tuple[int, int]] = field(default_factory=set)  # (chat id, user id)

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._failing = threading.Lock()
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1001)
        self._closing = False
        self.allowed_updates: list[str] | None = None
        self.server: ThreadingHTTPServer | None = None

    # lifecycle

    def start(self) -> FakeBotApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                api._handle(self)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    # what tests do

    def enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (an ``update_id`` is given when missing)."""
        with self._cond:
            update.setdefault("update_id", next(self._ids))
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def fail_next(self, method: str, error: ApiError) -> None:
        """Make the next call of ``method`` fail (e.g. a 429 with retry_after)."""
        self.failures.setdefault(method, []).append(error)

    def drop_next(self, method: str) -> None:
        """Make the next call of ``method`` lose its connection before it is handled."""
        self.failures.setdefault(method, []).append(ApiError(DROPPED, 0))

    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in list(self.calls)
            if c.method == method
            and c.ok
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat, in order, as currently shown (edits applied)."""
        return [m for (c, _), m in sorted(self.sent.items()) if c == chat_id]

    def wait_for(self, predicate, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.02)
        raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")

    # HTTP

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?")[0]
        match = re.match(r"^/bot([^/]+)/(\w+)$", path)
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if len(body) < length:  # the client gave up mid-request (a cancelled task): dropped
            request.close_connection = True
            return None
        if not match:
            return self._respond(
                request, 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            )
        token, method = match.groups()
        if token != self.token:
            return self._respond(
                request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        params = _decode(body, request.headers.get("Content-Type", ""))
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        with self._failing:
            failure = self.failures[method].pop(0) if self.failures.get(method) else None
        if failure is not None and failure.code == 0:
            call.ok, call.error = False, failure.description
            self.errors.append(call)
            request.close_connection = True  # no response: the client sees a dropped connection
            return None
        try:
            if failure is not None:
                raise failure
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                raise ApiError("Not Found: method not found", 404)
            result = handler(params)
        except ApiError as exc:
            call.ok, call.error = False, exc.description
            if not exc.description.startswith("Too Many Requests"):
                self.errors.append(call)
            payload: dict[str, Any] = {
                "ok": False,
                "error_code": exc.code,
                "description": exc.description,
            }
            if exc.code == 429:
                payload["parameters"] = {"retry_after": 1}
            return self._respond(request, exc.code, payload)
        self._respond(request, 200, {"ok": True, "result": result})

    @staticmethod
    def _respond(request: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:
            pass  # the client went away (a cancelled long poll)

    # Bot API methods

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "URBACT assistant (test)",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user()

    def api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"] or None
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if offset:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = [u for u in self._updates if self._allowed(u)]
                if ready or self._closing or time.monotonic() >= deadline:
                    return ready[:limit]
                self._cond.wait(max(0.0, deadline - time.monotonic()))

    def _allowed(self, update: dict[str, Any]) -> bool:
        if not self.allowed_updates:
            return "chat_member" not in update
        return any(kind in update for kind in self.allowed_updates)

    def _message(self, chat_id: Any, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(chat_id)
        message_id = next(self._message_ids)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": self.bot_user(),
            "text": params["text"],
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.sent[(chat_id, message_id)] = message
        return message

    def api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if "chat_id" not in params:
            raise ApiError("Bad Request: chat_id is empty")
        check_text(params.get("text"), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        reply = params.get("reply_parameters")
        if reply is not None and not isinstance(reply.get("message_id"), int):
            raise ApiError("Bad Request: message to be replied not found")
        message = self._message(params["chat_id"], params)
        if (message.get("reply_markup") or {}).get("force_reply"):
            # Telegram returns only inline keyboards in Message.reply_markup
            return {k: v for k, v in message.items() if k != "reply_markup"}
        return message

    def api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        if key not in self.sent:
            raise ApiError("Bad Request: message to edit not found")
        check_text(params.get("text"), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        message = self.sent[key]
        if message["text"] == params["text"] and message.get("reply_markup") == params.get(
            "reply_markup"
        ):
            raise ApiError(
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message"
            )
        message["text"] = params["text"]
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        message["edit_date"] = int(time.time())
        return message

    def api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        if key not in self.sent:
            raise ApiError("Bad Request: message to edit not found")
        check_markup(params.get("reply_markup"))
        message = self.sent[key]
        if message.get("reply_markup") == params.get("reply_markup"):
            raise ApiError("Bad Request: message is not modified")
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id")
        if not query_id:
            raise ApiError("Bad Request: query id is empty")
        if query_id in self.answered_queries:
            raise ApiError(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if len(params.get("text") or "") > 200:
            raise ApiError("Bad Request: MESSAGE_TOO_LONG")
        self.answered_queries.add(query_id)
        return True

    def api_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("inline_query_id")
        if not query_id or query_id in self.answered_queries:
            raise ApiError(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        results = params.get("results") or []
        if len(results) > 50:
            raise ApiError("Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id", "") for r in results]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError("Bad Request: RESULT_ID_INVALID")
        for result in results:
            if not result.get("title"):
                raise ApiError("Bad Request: RESULT_TITLE_EMPTY")
            content = result.get("input_message_content") or {}
            check_text(content.get("message_text"), content.get("parse_mode"), "inline message")
            check_markup(result.get("reply_markup"))
        self.answered_queries.add(query_id)
        return True

    def api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = "administrator" if (chat_id, user_id) in self.admins else "member"
        member: dict[str, Any] = {"status": status, "user": user(user_id)}
        if status == "administrator":
            flags = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                     "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                     "can_change_info", "can_invite_users", "can_post_stories",
                     "can_edit_stories", "can_delete_stories")  # fmt: skip
            member.update({flag: flag == "can_manage_chat" for flag in flags})
        return member

    def api_sendChatAction(self, params: dict[str, Any]) -> bool:
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError("Bad Request: wrong parameter action in request")
        return True

    def api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if not 1 <= len(commands) <= 100:
            raise ApiError("Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        language = params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError("Bad Request: LANG_CODE_INVALID")
        self.commands[language] = commands
        return True

    def api_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(params.get("language_code") or "", [])

    def api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def api_setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    def api_close(self, params: dict[str, Any]) -> bool:
        return True


def _decode(body: bytes, content_type: str) -> dict[str, Any]:
    """Form fields (python-telegram-bot JSON-encodes non-string values) or a JSON body."""
    if not body:
        return {}
    if "json" in content_type:
        return json.loads(body)
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        if key in STRING_PARAMS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


# --- updates, as Telegram sends them -----------------------------------------------------

_counter = itertools.count(1)


def user(user_id: int, language: str = "en", name: str = "Ana") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name, "language_code": language}


def message_update(
    chat_id: int,
    text: str | None,
    *,
    user_id: int | None = None,
    language: str = "en",
    chat_type: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    reply_to: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    edited: bool = False,
    message_id: int | None = None,
) -> dict[str, Any]:
    """A ``message`` (or ``edited_message``) update; commands get their bot_command entity."""
    kind = chat_type or ("private" if chat_id > 0 else "supergroup")
    chat: dict[str, Any] = {"id": chat_id, "type": kind}
    if kind != "private":
        chat["title"] = "URBACT city officers"
    message: dict[str, Any] = {
        "message_id": message_id or next(_counter),
        "date": int(time.time()),
        "chat": chat,
        "from": user(user_id or abs(chat_id), language),
    }
    if text is not None:
        message["text"] = text
        found = list(entities or [])
        if text.startswith("/"):
            command = text.split()[0]
            found.insert(0, {"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        if found:
            message["entities"] = found
    if reply_to:
        message["reply_to_message"] = reply_to
    if edited:
        message["edit_date"] = int(time.time())
    message.update(extra or {})
    return {"edited_message" if edited else "message": message}


def mention_entity(text: str, username: str = BOT_USERNAME) -> dict[str, Any]:
    mention = f"@{username}"
    offset = text.index(mention)
    return {"type": "mention", "offset": utf16_len(text[:offset]), "length": utf16_len(mention)}


def callback_update(
    message: dict[str, Any], data: str, user_id: int, language: str = "en"
) -> dict[str, Any]:
    """A press on a button of a message the bot sent."""
    return {
        "callback_query": {
            "id": f"cq{next(_counter)}",
            "from": user(user_id, language),
            "message": message,
            "chat_instance": str(message["chat"]["id"]),
            "data": data,
        }
    }


def inline_update(query: str, user_id: int, language: str = "en") -> dict[str, Any]:
    return {
        "inline_query": {
            "id": f"iq{next(_counter)}",
            "from": user(user_id, language),
            "query": query,
            "offset": "",
        }
    }


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inline keyboard button of a message, row by row."""
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b for row in keyboard for b in row]


# --- running the real bot against the fake server ----------------------------------------


async def until(predicate, timeout: float = 10.0, interval: float = 0.02) -> Any:  # noqa: ASYNC109
    """Await until ``predicate()`` is truthy (without blocking the bot's event loop)."""
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s")


class RunningBot:
    """The real application polling the fake server, as ``run_polling`` would run it."""

    def __init__(
        self,
        api: FakeBotApi,
        assistant: Any,
        data_dir: Any,
        env: dict[str, str] | None = None,
        webhook: bool = False,
    ):
        from urbact_assistant.adapters.telegram.app import build_application
        from urbact_assistant.adapters.telegram.settings import BotSettings
        from urbact_assistant.adapters.telegram.state import BotState

        self.api = api
        self.settings = BotSettings.from_env(
            {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url, **(env or {})}
        )
        self.store = BotState.open(data_dir)
        self.app = build_application(self.settings, assistant, self.store)
        self.webhook = webhook

    async def __aenter__(self) -> RunningBot:
        from urbact_assistant.adapters.telegram.app import ALLOWED_UPDATES

        await self.app.initialize()
        await self.app.post_init(self.app)
        if self.webhook:
            from urbact_assistant.adapters.telegram.app import webhook_options

            await self.app.updater.start_webhook(**webhook_options(self.settings))
        else:
            await self.app.updater.start_polling(
                poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
            )
        await self.app.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()
        self.store.close()

    async def say(
        self,
        update: dict[str, Any],
        chat_id: int,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        """Send an update and wait until ``count`` new messages reach ``chat_id``."""
        before = len(self.api.calls_of("sendMessage", chat_id))
        self.api.enqueue(update)
        await until(
            lambda: len(self.api.calls_of("sendMessage", chat_id)) >= before + count, timeout
        )
        return self.api.messages(chat_id)[before:]
