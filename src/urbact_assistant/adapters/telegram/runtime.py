"""Plumbing between python-telegram-bot and the handlers: per-chat ordering and dedupe of
updates, per-user rate limits, the typing indicator, streamed drafts, and log redaction."""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import sqlite3
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, BaseUpdateProcessor

from urbact_assistant.adapters.telegram import render as fmt
from urbact_assistant.adapters.telegram.keyboards import Keyboard
from urbact_assistant.adapters.telegram.state import BotState

logger = logging.getLogger("urbact_assistant.adapters.telegram.bot")


def chat_key(update: object) -> object:
    """What must be processed in order: a private chat's updates; in a group, one member's
    (a member's conversation is their own, so one member's answer being written does not hold
    up another's, nor their button presses); inline queries: one user's."""
    if isinstance(update, Update):
        chat, user = update.effective_chat, update.effective_user
        if chat and user and chat.type != ChatType.PRIVATE:
            return ("member", chat.id, user.id)
        if chat:
            return ("chat", chat.id)
        if user:
            return ("user", user.id)
    return ("other", id(update))


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats (and group members), in order within each (``chat_key``); a
    redelivered update is dropped."""

    def __init__(self, store: BotState, max_concurrent_updates: int = 256):
        super().__init__(max_concurrent_updates)
        self.store = store
        self._locks: dict[object, asyncio.Lock] = {}
        self._users: dict[object, int] = defaultdict(int)
        self._running: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """At least once, in order per chat: an update is kept in the store while it is
        handled and recorded as processed only afterwards (a process killed meanwhile replays
        it at start); a redelivery of a processed or running update is dropped."""
        user = update_id = None
        if isinstance(update, Update):
            user = update.effective_user.id if update.effective_user else None
            update_id = update.update_id
            seen = update_id in self._running  # claimed before any await: no race
            self._running.add(update_id)
            if seen or await self._io(self.store.processed, update_id):
                logger.info("update %s already processed; skipped", update_id)
                if not seen:
                    self._running.discard(update_id)
                if hasattr(coroutine, "close"):
                    coroutine.close()
                return
            await self._io(self.store.begin, update_id, user, update.to_json())
        key = chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            async with lock:
                await coroutine
            if update_id is not None:
                await self._io(self.store.done, update_id, user)
        finally:
            if task is not None:
                self._tasks.discard(task)
            if update_id is not None:
                self._running.discard(update_id)
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                self._locks.pop(key, None)

    def cut_short(self) -> int:
        """Cancel the updates still being handled (a stop's time is up); how many. Each stays
        in the state file, not done, and is handled again at the next start."""
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        return len(tasks)

    async def _io(self, fn: Callable[..., Any], *args: Any) -> Any:
        """The store in a worker thread; when it is locked or broken, go on (an update may then
        be handled twice after a crash, rather than not at all)."""
        try:
            return await asyncio.wait_for(asyncio.to_thread(fn, *args), 2.0)
        except (sqlite3.Error, TimeoutError) as exc:
            logger.warning("update bookkeeping unavailable (%s)", type(exc).__name__)
            return None

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class WorkerThreads(ThreadPoolExecutor):
    """The event loop's default executor (``asyncio.to_thread``: questions, state writes), with
    daemon threads: a stop does not wait for a question still being answered in one (its
    update stays in the state file and is answered after the restart), where asyncio's own
    executor would hold the process until the LLM gives up. As many threads as asyncio's.

    A ``ThreadPoolExecutor`` only to be accepted by ``loop.set_default_executor``: its
    ``submit`` and ``shutdown`` are replaced, none of its (non-daemon) threads is started."""

    def __init__(self, size: int = min(32, (os.cpu_count() or 1) + 4)):
        super().__init__(max_workers=size)
        self.size = size
        self._jobs: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self._daemons: list[threading.Thread] = []
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._jobs.put((future, fn, args, kwargs))
            if not self._idle.acquire(blocking=False) and len(self._daemons) < self.size:
                thread = threading.Thread(
                    target=self._work, name=f"urbact-worker-{len(self._daemons)}", daemon=True
                )
                thread.start()
                self._daemons.append(thread)
        return future

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fn, args, kwargs = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(exc)
            del job, future, fn, args, kwargs
            self._idle.release()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Idle threads end; busy ones end with the process (never waited for)."""
        with self._lock:
            self._closed = True
            for _ in self._daemons:
                self._jobs.put(None)


class RateLimit:
    """At most ``per_minute`` events per user in any 60-second window."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._events: dict[int, deque[float]] = defaultdict(deque)

    def wait(self, user_id: int) -> int:
        """0 and the event counted when allowed; otherwise the seconds to wait."""
        now = self.clock()
        events = self._events[user_id]
        while events and events[0] <= now - 60:
            events.popleft()
        if len(events) >= self.per_minute:
            return max(1, int(events[0] + 60 - now + 0.999))
        events.append(now)
        return 0

    def prune(self) -> None:
        now = self.clock()
        for user in [u for u, e in self._events.items() if not e or e[-1] <= now - 60]:
            del self._events[user]


class DeliveringRateLimiter(AIORateLimiter):
    """Telegram's rate limits (as ``AIORateLimiter``: flood limits, retries after a 429), and
    retries with backoff after transient failures: a 5xx or an HTML error page from the Bot
    API, a dropped connection, a timeout. A request Telegram refuses (400) is not retried."""

    BACKOFF = (0.5, 1.0, 2.0)

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        for delay in (*self.BACKOFF, None):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError as exc:
                if delay is None:
                    raise
                logger.info(
                    "%s failed (%s); retrying in %.1fs", endpoint, type(exc).__name__, delay
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """``telegram_format`` buttons as inline keyboard markup (None when empty)."""
    rows = [
        [
            InlineKeyboardButton(b.label, url=b.url)
            if b.url
            else InlineKeyboardButton(b.label, callback_data=b.data)
            for b in row
        ]
        for row in keyboard
        if row
    ]
    return InlineKeyboardMarkup(rows) if rows else None


@asynccontextmanager
async def typing(bot: Any, chat_id: int, thread_id: int | None = None):
    """Show "typing…" now and every 4.5 s until the block ends (Telegram shows it for 5 s)."""

    async def again() -> None:
        while True:
            await asyncio.sleep(4.5)
            with suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)

    with suppress(TelegramError):
        await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
    task = asyncio.create_task(again())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


class StreamedReply:
    """An answer shown while the LLM writes it: one message, edited at most once per interval.

    ``feed`` gets the whole draft so far, already verified by the library (only drafts that
    pass the final answer's checks reach it); it runs on the event loop (the worker thread
    schedules it with ``call_soon_threadsafe``). ``finish`` replaces the draft with the
    formatted answer.
    """

    def __init__(self, bot: Any, chat_id: int, interval: float, reply_to: int | None = None):
        self.bot = bot
        self.chat_id = chat_id
        self.interval = interval
        self.reply_to = reply_to
        self.text = ""
        self.shown = ""
        self.message: Message | None = None
        self.last = 0.0
        self.closing = False
        self.changed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def feed(self, draft: str) -> None:
        self.text = draft
        if self.task is None and not self.closing:
            self.task = asyncio.create_task(self._run())
        self.changed.set()

    async def _pause(self) -> None:
        wait = self.last + self.interval - asyncio.get_running_loop().time()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _run(self) -> None:
        while not self.closing:
            await self.changed.wait()
            self.changed.clear()
            if self.closing:
                return
            await self._pause()
            await self._show(fmt.streaming_text(self.text), None)

    async def _show(self, html: str, reply_markup: InlineKeyboardMarkup | None) -> None:
        if html == self.shown and reply_markup is None:
            return
        if self.message is None:
            self.message = await self.bot.send_message(
                self.chat_id, html, reply_parameters=reply_parameters(self.reply_to)
            )
        else:
            await self.bot.edit_message_text(
                html, self.chat_id, self.message.message_id, reply_markup=reply_markup
            )
        self.shown = html
        self.last = asyncio.get_running_loop().time()

    def abandon(self) -> None:
        """Show no more drafts (the question was cut short; the thread may still stream)."""
        self.closing = True
        self.changed.set()

    async def finish(self, parts: list[str], reply_markup: InlineKeyboardMarkup | None) -> bool:
        """Put the final answer in place; False when nothing was streamed (send it normally)."""
        self.closing = True
        self.changed.set()
        if self.task is None:
            return False
        await self.task
        if self.message is None:
            return False
        await self._pause()
        await self._show(parts[0], reply_markup if len(parts) == 1 else None)
        for i, part in enumerate(parts[1:], start=2):
            last = i == len(parts)
            await self.bot.send_message(
                self.chat_id, part, reply_markup=reply_markup if last else None
            )
        return True


def reply_parameters(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id, allow_sending_without_reply=True)


def quiet_loggers(log_content: bool) -> None:
    """No token and no message text in third-party logs: httpx logs request URLs (which hold
    the token) at INFO; python-telegram-bot logs its URLs (with the token) and every request
    and update (with their text) at DEBUG. Message text is logged by this module only, at
    DEBUG, when ``log_content`` is on."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)
    logger.setLevel(logging.DEBUG if log_content else logging.NOTSET)


class TokenFilter(logging.Filter):
    """Replaces the token in a log record, tracebacks included (python-telegram-bot puts the
    token in the message of ``InvalidToken``). Added to the log handlers by ``run_bot``."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        return True


class StartupFilter(logging.Filter):
    """A failed start (bad token, no network) is reported by ``run_bot`` in one line, and a
    stop with the Bot API unreachable (the last ``getUpdates`` confirming the offset fails)
    is routine: the log keeps python-telegram-bot's one-line message, without its traceback."""

    ONE_LINE = ("Bootstrap", "`get_updates` one more time")

    def filter(self, record: logging.LogRecord) -> bool:
        if any(marker in record.getMessage() for marker in self.ONE_LINE):
            record.exc_info, record.exc_text = None, None
        return True


def install_log_filters(token: str) -> None:
    """Token redaction on every handler of the root logger; no startup tracebacks (nor the
    stop's: a handler filter sees the records of every ``telegram.ext.*`` logger)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, StartupFilter) for f in handler.filters):
            handler.addFilter(StartupFilter())
        if not any(isinstance(f, TokenFilter) for f in handler.filters):
            handler.addFilter(TokenFilter(token))
    ptb = logging.getLogger("telegram.ext")
    if not any(isinstance(f, StartupFilter) for f in ptb.filters):
        ptb.addFilter(StartupFilter())
