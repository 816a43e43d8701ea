"""The Telegram bot: the only module that imports ``telegram`` (python-telegram-bot v22).

Run it with ``urbact-assistant bot``. ``TELEGRAM_BOT_TOKEN`` is required; the bot polls by
default and serves a webhook when ``URBACT_WEBHOOK_URL`` is set (see ``BotSettings``).

Handlers are thin: extract from the update → call the library (``Assistant``, the corpus, the
retriever; in a worker thread) → format (``telegram_format``) → send. Updates of different
chats are processed concurrently, those of one chat in order (``ChatOrderedProcessor``), and an
update delivered twice is processed once (ids recorded in ``BotState``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
import traceback
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from urbact_assistant.adapters.telegram import render as fmt
from urbact_assistant.adapters.telegram.state import BotState
from urbact_assistant.config import Settings, environment
from urbact_assistant.core.models import Answer, AnyCard, NetworkCard, ProgrammePage
from urbact_assistant.errors import ConfigError, UrbactError
from urbact_assistant.knowledge.countries import country_name

if TYPE_CHECKING:
    from urbact_assistant.assistant import Assistant

logger = logging.getLogger(__name__)

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_API = "https://api.telegram.org/bot"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query"]
INLINE_MAX = 50
SIMILAR = 4
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


# --- settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BotSettings:
    """The bot's settings, read once from the environment. The token never appears in repr."""

    token: str = field(repr=False)
    """``TELEGRAM_BOT_TOKEN``, from @BotFather."""
    api_base_url: str = DEFAULT_API
    """``TELEGRAM_API_BASE_URL``: the Bot API server; the token is appended to it."""
    file_base_url: str = "https://api.telegram.org/file/bot"
    """``TELEGRAM_API_FILE_URL``; by default derived from the API base URL."""
    webhook_url: str = ""
    """``URBACT_WEBHOOK_URL``: the public HTTPS URL; set → webhook mode, its path is served."""
    webhook_secret: str = field(default="", repr=False)
    """``URBACT_WEBHOOK_SECRET``: checked against Telegram's secret-token header."""
    webhook_listen: str = "0.0.0.0:8080"
    """``URBACT_WEBHOOK_LISTEN``: ``host:port`` the webhook server listens on."""
    log_content: bool = False
    """``URBACT_LOG_CONTENT=1``: log message text at debug level (off: never logged)."""
    questions_per_minute: int = 10
    """``URBACT_BOT_QUESTIONS_PER_MINUTE``: per-user rate limit on questions."""
    max_question: int = 1000
    """``URBACT_BOT_MAX_QUESTION``: the longest question accepted, in characters."""
    stream_interval: float = 1.0
    """Seconds between two edits of a streamed answer (``URBACT_BOT_STREAM_INTERVAL``)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BotSettings:
        """Build from a mapping; raise ``ConfigError`` (one line, never the token)."""
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set; create a bot with @BotFather")
        if not TOKEN_PATTERN.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is malformed (expected <digits>:<at least 30 letters, "
                "digits, _ or ->, as given by @BotFather)"
            )
        errors: list[str] = []
        base = env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API
        if not base.startswith(("http://", "https://")):
            errors.append("TELEGRAM_API_BASE_URL must start with http:// or https://")
        files = env.get("TELEGRAM_API_FILE_URL", "").strip() or _file_url(base)
        webhook = env.get("URBACT_WEBHOOK_URL", "").strip()
        secret = env.get("URBACT_WEBHOOK_SECRET", "").strip()
        listen = env.get("URBACT_WEBHOOK_LISTEN", "").strip() or "0.0.0.0:8080"
        if webhook:
            if not webhook.startswith(("https://", "http://")):
                errors.append("URBACT_WEBHOOK_URL must be an https:// URL")
            if not secret:
                errors.append("URBACT_WEBHOOK_SECRET is required with URBACT_WEBHOOK_URL")
        if secret and not SECRET_PATTERN.match(secret):
            errors.append("URBACT_WEBHOOK_SECRET must be 1-256 characters: A-Z, a-z, 0-9, _ or -")
        if not _parse_listen(listen):
            errors.append(f"URBACT_WEBHOOK_LISTEN must be host:port, got {listen!r}")
        numbers = {}
        for name, default, kind in (
            ("URBACT_BOT_QUESTIONS_PER_MINUTE", 10, int),
            ("URBACT_BOT_MAX_QUESTION", 1000, int),
            ("URBACT_BOT_STREAM_INTERVAL", 1.0, float),
        ):
            raw = env.get(name, "").strip()
            try:
                numbers[name] = kind(raw) if raw else default
                if numbers[name] <= 0:
                    raise ValueError
            except ValueError:
                errors.append(f"{name} must be a positive number, got {raw!r}")
        if errors:
            raise ConfigError("; ".join(errors))
        return cls(
            token=token,
            api_base_url=base,
            file_base_url=files,
            webhook_url=webhook,
            webhook_secret=secret,
            webhook_listen=listen,
            log_content=env.get("URBACT_LOG_CONTENT", "").strip().lower() in ("1", "true", "yes"),
            questions_per_minute=int(numbers["URBACT_BOT_QUESTIONS_PER_MINUTE"]),
            max_question=int(numbers["URBACT_BOT_MAX_QUESTION"]),
            stream_interval=float(numbers["URBACT_BOT_STREAM_INTERVAL"]),
        )

    @property
    def listen(self) -> tuple[str, int]:
        parsed = _parse_listen(self.webhook_listen)
        assert parsed is not None
        return parsed


def _file_url(base: str) -> str:
    """``…/bot`` → ``…/file/bot`` (the Bot API's layout, also a local Bot API server's)."""
    if base.endswith("/bot"):
        return base[: -len("bot")] + "file/bot"
    return base.rstrip("/") + "/file/bot"


def _parse_listen(listen: str) -> tuple[str, int] | None:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host.strip("[]"), int(port)


# --- processing order, dedupe, rate limits -----------------------------------------------


def chat_key(update: object) -> object:
    """What must be processed in order: one chat's updates (inline queries: one user's)."""
    if isinstance(update, Update):
        if update.effective_chat:
            return ("chat", update.effective_chat.id)
        if update.effective_user:
            return ("user", update.effective_user.id)
    return ("other", id(update))


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within a chat; a redelivered update is dropped."""

    def __init__(self, store: BotState, max_concurrent_updates: int = 256):
        super().__init__(max_concurrent_updates)
        self.store = store
        self._locks: dict[object, asyncio.Lock] = {}
        self._users: dict[object, int] = defaultdict(int)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if isinstance(update, Update):
            user = update.effective_user.id if update.effective_user else None
            if not self.store.first_time(update.update_id, user):
                logger.info("update %s already processed; skipped", update.update_id)
                if hasattr(coroutine, "close"):
                    coroutine.close()
                return
        key = chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


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


# --- sending helpers ---------------------------------------------------------------------


def markup(keyboard: fmt.Keyboard) -> InlineKeyboardMarkup | None:
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
async def typing(bot: Any, chat_id: int, thread_id: int | None = None):  # noqa: ANN201
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
    """An answer shown while the LLM streams it: one message, edited at most once per interval.

    ``feed`` runs on the event loop (the worker thread schedules it with
    ``call_soon_threadsafe``); ``finish`` replaces the draft with the formatted answer.
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

    def feed(self, delta: str) -> None:
        self.text += delta
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
                self.chat_id, html, reply_parameters=_reply(self.reply_to)
            )
        else:
            await self.bot.edit_message_text(
                html, self.chat_id, self.message.message_id, reply_markup=reply_markup
            )
        self.shown = html
        self.last = asyncio.get_running_loop().time()

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


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id, allow_sending_without_reply=True)


# --- the bot -----------------------------------------------------------------------------


class UrbactBot:
    """The handlers, sharing the assistant, the state store and the rate limiter."""

    def __init__(self, settings: BotSettings, assistant: Assistant, store: BotState):
        self.settings = settings
        self.assistant = assistant
        self.store = store
        self.limit = RateLimit(settings.questions_per_minute)
        corpus = assistant.services.corpus
        self.countries: dict[str, str] = {}
        for code in sorted({c for n in corpus.networks for c in n.countries}):
            self.countries[code] = code
            self.countries[fmt.fold(country_name(code))] = code

    # context

    @property
    def cards(self) -> dict[str, AnyCard]:
        return self.assistant.services.corpus.by_slug()

    def today(self) -> dt.date:
        return self.assistant.services.settings.current_date()

    def language(self, update: Update) -> str:
        """The user's language (Telegram's language_code), remembered per chat."""
        chat, user = update.effective_chat, update.effective_user
        code = user.language_code if user else None
        if chat is None:
            return fmt.pick_language(code)
        if code:
            lang = fmt.pick_language(code)
            if self.store.language(chat.id) != lang:
                self.store.set_language(chat.id, lang, user.id if user else None)
            return lang
        return self.store.language(chat.id) or "en"

    def log_text(self, label: str, text: str) -> None:
        if self.settings.log_content:
            logger.debug("%s: %r", label, text)

    # questions

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any text message in a private chat; in groups, only mentions and replies to the bot."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        question = addressed_question(message, context.bot.id, context.bot.username)
        if question is None:
            return
        await self.answer(update, context, question)

    async def answer(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, question: str
    ) -> None:
        """Check the question, then ask the assistant and send its answer."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        assert message is not None and chat is not None and user is not None
        lang = self.language(update)
        question = " ".join(question.split())
        reply_to = message.message_id if chat.type != ChatType.PRIVATE else None
        if not question:
            await message.reply_html(fmt.text(lang, "empty"), reply_parameters=_reply(reply_to))
            return
        if len(question) > self.settings.max_question:
            await message.reply_html(
                fmt.text(lang, "too_long", n=len(question), max=self.settings.max_question),
                reply_parameters=_reply(reply_to),
            )
            return
        if wait := self.limit.wait(user.id):
            await message.reply_html(
                fmt.text(lang, "rate_limited", s=wait), reply_parameters=_reply(reply_to)
            )
            return
        self.log_text(f"question in chat {chat.id}", question)
        started = time.monotonic()
        stream = StreamedReply(context.bot, chat.id, self.settings.stream_interval, reply_to)
        loop = asyncio.get_running_loop()
        history = self.store.history(chat.id)
        try:
            async with typing(context.bot, chat.id, message.message_thread_id):
                answer = await asyncio.to_thread(
                    self.assistant.ask,
                    question,
                    history,
                    lambda delta: loop.call_soon_threadsafe(stream.feed, delta),
                )
        except Exception as exc:  # the draft of a streamed answer is replaced by the error
            if isinstance(exc, UrbactError):  # a message meant for users
                shown = fmt.esc(str(exc))
            else:
                self.log_error(update.update_id, exc)
                shown = fmt.text(lang, "error")
            if not await stream.finish([shown], None):
                await message.reply_html(shown, reply_parameters=_reply(reply_to))
            return
        answer_id = self.store.add_turn(
            chat.id, user.id, answer.standalone or question, answer.text
        )
        await self.send_answer(context.bot, chat.id, answer, answer_id, lang, stream, reply_to)
        logger.info(
            "chat %s: answered in %.2fs (%s, %d citations)",
            chat.id, time.monotonic() - started, answer.mode, len(answer.citations),
        )  # fmt: skip

    async def send_answer(
        self,
        bot: Any,
        chat_id: int,
        answer: Answer,
        answer_id: int,
        lang: str,
        stream: StreamedReply,
        reply_to: int | None,
    ) -> None:
        parts = fmt.answer_parts(answer, lang)
        keyboard = markup(fmt.answer_keyboard(answer, answer_id))
        if await stream.finish(parts, keyboard):
            return
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            await bot.send_message(
                chat_id,
                part,
                reply_markup=keyboard if last else None,
                reply_parameters=_reply(reply_to) if i == 0 else None,
            )

    # commands

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """What the bot does; ``/start card_<slug>`` (a deep link) opens that card."""
        if context.args and context.args[0].startswith("card_"):
            slug = context.args[0][len("card_") :]
            if slug in self.cards:
                await self.send_card(update, context, self.cards[slug])
                return
        await self.reply(update, fmt.text(self.language(update), "start"))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.language(update)
        await self.reply(update, fmt.text(lang, "help", bot=context.bot.username or "bot"))

    async def network(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/network <name>``: one card."""
        lang = self.language(update)
        name = " ".join(context.args or [])
        if not name:
            await self.reply(update, fmt.text(lang, "usage_network"))
            return
        card = self.find_card(name)
        if card is None:
            await self.reply(update, fmt.text(lang, "not_found", name=fmt.shorten(name, 80)))
            return
        await self.send_card(update, context, card)

    async def city(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/city <name>``: the networks a city takes part in."""
        name = " ".join(context.args or [])
        if not name.strip():
            await self.reply(update, fmt.text(self.language(update), "usage_city"))
            return
        await self.answer(update, context, f"is {name} in a network?")

    async def join(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/join``: current and next calls, and how to take part."""
        corpus = self.assistant.services.corpus
        calls = [p for p in corpus.pages if p.kind == "call"]
        how = self.cards.get("how-to-join")
        page = how if isinstance(how, ProgrammePage) else None
        html, keyboard = fmt.join_message(calls, page, self.today())
        await self.reply(update, html, markup(keyboard))

    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/forget``: delete everything stored about the user, now."""
        user = update.effective_user
        assert user is not None
        lang = fmt.pick_language(user.language_code)
        self.store.forget(user.id)
        await self.reply(update, fmt.text(lang, "forgot"))

    async def about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        corpus = self.assistant.services.corpus
        checked = max((c.checked for c in corpus.cards), default=None)
        llm = getattr(self.assistant.services.settings, "llm_enabled", False)
        mode = "fluent answers written by an LLM" if llm else "offline composer"
        html = fmt.about_message(
            len(corpus.networks), len(corpus.pages), checked, mode, self.today()
        )
        await self.reply(update, html)

    async def networks(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/networks [filters]``: browse, paged with inline buttons."""
        filters_ = fmt.parse_browse_args(context.args or [], self.countries)
        html, keyboard = await self.browse(filters_, 0, self.language(update))
        await self.reply(update, html, markup(keyboard))

    async def browse(
        self, filters_: fmt.BrowseFilter, page: int, lang: str
    ) -> tuple[str, fmt.Keyboard]:
        today = self.today()
        cards = fmt.matching_networks(self.assistant.services.corpus.networks, filters_, today)
        if filters_.topic:
            hits = (await asyncio.to_thread(self.assistant.retriever.retrieve, filters_.topic)).hits
            allowed = {c.slug for c in cards}
            cards = [
                h.card for h in hits if h.card.slug in allowed and isinstance(h.card, NetworkCard)
            ]
        else:
            cards = fmt.browse_order(cards, today)
        return fmt.browse_page(cards, filters_, page, today, lang)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update, fmt.text(self.language(update), "unknown_command"))

    async def non_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice…: a short hint."""
        await self.reply(update, fmt.text(self.language(update), "non_text"))

    # cards

    def find_card(self, name: str) -> AnyCard | None:
        """A card by slug, name or alias (accents, case and punctuation ignored)."""
        key = _key(name)
        for card in self.cards.values():
            names = (card.slug, card.title, *card.aliases)
            if any(_key(n) == key for n in names):
                return card
        with suppress(Exception):  # the library's own name matching, when it recognises one
            from urbact_assistant.understanding.questions import understand

            found = understand(name, self.assistant.retriever.entities).networks
            if found:
                return self.cards.get(found[0])
        return None

    async def similar(self, card: AnyCard) -> list[NetworkCard]:
        """Networks about the same themes, this one excluded."""
        if not isinstance(card, NetworkCard) or not card.themes:
            return []
        text = ", ".join(card.themes)
        retriever = self.assistant.retriever
        # Nearest networks by meaning (the retriever's dense search, without its relevance
        # cut-offs, which keep only cards that answer a question).
        scores = await asyncio.to_thread(retriever.dense, text, "network", 60, True)
        ranked = sorted(scores, key=lambda slug: scores[slug][0], reverse=True)
        found = [self.cards.get(slug) for slug in ranked if slug != card.slug]
        return [c for c in found if isinstance(c, NetworkCard)][:SIMILAR]

    async def send_card(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, card: AnyCard
    ) -> None:
        chat = update.effective_chat
        assert chat is not None
        keyboard = fmt.card_keyboard(card, await self.similar(card))
        await context.bot.send_message(
            chat.id, fmt.card_html(card, self.today()), reply_markup=markup(keyboard)
        )

    # buttons and inline mode

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Card buttons, 👍/👎, list pages and filters."""
        query = update.callback_query
        assert query is not None
        lang = fmt.pick_language(query.from_user.language_code)
        action = fmt.parse_callback(query.data)
        if action is None or (action.kind == "card" and action.slug not in self.cards):
            await query.answer(fmt.text(lang, "expired"))
            return
        if action.kind == "feedback":
            chat_id = query.message.chat.id if query.message else 0
            self.store.add_feedback(action.answer_id, query.from_user.id, chat_id, action.up)
            await query.answer(fmt.text(lang, "thanks"))
            return
        await query.answer()
        if action.kind == "card":
            if update.effective_chat is not None:
                await self.send_card(update, context, self.cards[action.slug])
            return
        html, keyboard = await self.browse(action.filters, action.page, lang)
        with suppress(BadRequest):  # "message is not modified": the same page pressed twice
            await query.edit_message_text(html, reply_markup=markup(keyboard))

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``@bot <topic>``: matching network cards to share (at most 50)."""
        query = update.inline_query
        assert query is not None
        today = self.today()
        text = " ".join(query.query.split())[: self.settings.max_question]
        if text:
            retrieval = await asyncio.to_thread(self.assistant.retriever.retrieve, text)
            cards = [h.card for h in retrieval.hits if isinstance(h.card, NetworkCard)]
            by_name = self.find_card(text)
            if isinstance(by_name, NetworkCard) and by_name not in cards:
                cards.insert(0, by_name)
        else:
            ongoing = [
                c for c in self.assistant.services.corpus.networks if c.status(today) == "ongoing"
            ]
            cards = fmt.browse_order(ongoing, today)
        results = [
            self.inline_result(card, today, context.bot.username) for card in cards[:INLINE_MAX]
        ]
        await query.answer(results, cache_time=30, is_personal=False)

    def inline_result(
        self, card: NetworkCard, today: dt.date, username: str | None
    ) -> InlineQueryResultArticle:
        buttons = [b for row in fmt.card_keyboard(card) for b in row]
        if username:
            deep_link = f"https://t.me/{username}?start=card_{card.slug}"
            buttons.insert(0, fmt.Button("🤖 Ask the bot", url=deep_link))
        return InlineQueryResultArticle(
            id=card.slug,
            title=card.name,
            description=fmt.inline_description(card, today),
            input_message_content=InputTextMessageContent(
                fmt.card_html(card, today),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
            ),
            reply_markup=markup([buttons]),
        )

    # errors

    def log_error(self, update_id: int | None, error: BaseException | None) -> None:
        """The error's type and stack; its message only with content logging (it may quote
        the user's text)."""
        frames = "".join(traceback.format_tb(error.__traceback__)) if error else ""
        detail = f": {error}" if self.settings.log_content else ""
        logger.error(
            "update %s failed with %s%s\n%s", update_id, type(error).__name__, detail, frames
        )

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log (no message text), then tell the user something went wrong."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        if isinstance(error, Forbidden):
            logger.info("update %s: the user blocked the bot or left the chat", update_id)
            return
        self.log_error(update_id, error)
        if not isinstance(update, Update):
            return
        lang = fmt.pick_language(
            update.effective_user.language_code if update.effective_user else None
        )
        with suppress(Exception):
            if update.callback_query:
                await update.callback_query.answer(fmt.text(lang, "expired"))
        if update.effective_chat and not update.inline_query:
            with suppress(Exception):
                await context.bot.send_message(update.effective_chat.id, fmt.text(lang, "error"))

    async def reply(
        self, update: Update, html: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        reply_to = message.message_id if message and chat.type != ChatType.PRIVATE else None
        await update.get_bot().send_message(
            chat.id, html, reply_markup=keyboard, reply_parameters=_reply(reply_to)
        )


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fmt.fold(name))


def addressed_question(message: Message, bot_id: int, username: str | None) -> str | None:
    """The question a message asks the bot; None when a group message is not for the bot.

    In private chats every text is a question. In groups, only a reply to one of the bot's
    messages or a mention of the bot is (the mention is removed from the question).
    """
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    mention = f"@{username}".lower() if username else None
    entities = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    mentioned = any(
        (entity.type == MessageEntity.MENTION and value.lower() == mention)
        or (entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id)
        for entity, value in entities.items()
    )
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        mentioned = True
    if not mentioned:
        return None
    if mention:
        text = re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE)
    return text


# --- building and running ----------------------------------------------------------------


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
    """A failed start (bad token, no network) is reported by ``run_bot`` in one line: the
    log keeps python-telegram-bot's one-line message, without its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "Bootstrap" in record.getMessage():
            record.exc_info, record.exc_text = None, None
        return True


def install_log_filters(token: str) -> None:
    """Token redaction on every handler of the root logger; no startup tracebacks."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, TokenFilter) for f in handler.filters):
            handler.addFilter(TokenFilter(token))
    ptb = logging.getLogger("telegram.ext")
    if not any(isinstance(f, StartupFilter) for f in ptb.filters):
        ptb.addFilter(StartupFilter())


async def register_commands(app: Application) -> None:
    """``setMyCommands`` in English (the default) and each supported language."""
    for lang in fmt.LANGUAGES:
        commands = [BotCommand(c, d) for c, d in fmt.command_list(lang)]
        await app.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)


def build_application(
    bot_settings: BotSettings, assistant: Assistant, store: BotState
) -> Application:
    """The application with every handler, ready for ``run_polling`` or ``run_webhook``."""
    quiet_loggers(bot_settings.log_content)
    app = (
        Application.builder()
        .token(bot_settings.token)
        .base_url(bot_settings.api_base_url)
        .base_file_url(bot_settings.file_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(ChatOrderedProcessor(store))
        .post_init(register_commands)
        .build()
    )
    bot = UrbactBot(bot_settings, assistant, store)
    app.bot_data["urbact"] = bot
    only_new = filters.UpdateType.MESSAGE  # edited messages never trigger a second answer
    for name in fmt.COMMANDS:
        app.add_handler(CommandHandler(name, getattr(bot, name), filters=only_new))
    app.add_handler(MessageHandler(only_new & filters.TEXT & ~filters.COMMAND, bot.on_text))
    app.add_handler(
        MessageHandler(only_new & filters.COMMAND & filters.ChatType.PRIVATE, bot.unknown_command)
    )
    app.add_handler(
        MessageHandler(
            only_new & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            bot.non_text,
        )
    )
    app.add_handler(CallbackQueryHandler(bot.on_callback))
    app.add_handler(InlineQueryHandler(bot.on_inline))
    app.add_error_handler(bot.on_error)
    if app.job_queue is not None:
        app.job_queue.run_repeating(_housekeeping, interval=3600, first=3600, name="housekeeping")
    return app


async def _housekeeping(context: ContextTypes.DEFAULT_TYPE) -> None:
    bot: UrbactBot = context.application.bot_data["urbact"]
    bot.store.prune()
    bot.limit.prune()


def webhook_options(bot_settings: BotSettings) -> dict[str, Any]:
    """Arguments of ``run_webhook`` (and ``Updater.start_webhook``) for webhook mode."""
    host, port = bot_settings.listen
    return {
        "listen": host,
        "port": port,
        "url_path": urlsplit(bot_settings.webhook_url).path.lstrip("/"),
        "webhook_url": bot_settings.webhook_url,
        "secret_token": bot_settings.webhook_secret or None,
        "allowed_updates": ALLOWED_UPDATES,
    }


def run_bot(settings: Settings, bot_settings: BotSettings | None = None) -> None:
    """Run until interrupted: polling, or a webhook server when ``URBACT_WEBHOOK_URL`` is set."""
    from urbact_assistant.assistant import Assistant

    bot_settings = bot_settings or BotSettings.from_env(environment())
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    install_log_filters(bot_settings.token)
    assistant = Assistant.open(settings, on_build=lambda what: logger.info("%s (first use)", what))
    with suppress(Exception):  # load the embedding model now, not on the first question
        assistant.retrieve("URBACT networks")
    store = BotState.open(settings.data_dir)
    app = build_application(bot_settings, assistant, store)
    try:
        if bot_settings.webhook_url:
            app.run_webhook(**webhook_options(bot_settings))
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        raise ConfigError(
            "Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather"
        ) from None
    except NetworkError as exc:
        message = str(exc).replace(bot_settings.token, "<token>")
        raise UrbactError(f"cannot reach the Telegram Bot API: {message}") from None
    finally:
        store.close()
