"""The bot's handlers: extract from the update → ask the library's front door (``Assistant``,
in a worker thread) → render (``render``) → send. Plumbing lives in ``runtime``, wiring in
``app``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import traceback
from contextlib import suppress
from dataclasses import replace
from typing import Any

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from urbact_assistant import (
    Answer,
    AnyCard,
    Assistant,
    Conversation,
    NetworkCard,
    UrbactError,
)  # fmt: skip
from urbact_assistant.adapters.telegram import render as fmt
from urbact_assistant.adapters.telegram.addressing import addressed_question, conversation_keys
from urbact_assistant.adapters.telegram.chatlang import ChatLanguages
from urbact_assistant.adapters.telegram.inline import InlineHandlers
from urbact_assistant.adapters.telegram.keyboards import (
    BrowseFilter,
    answer_keyboard,
    card_buttons,
    example_keyboard,
    parse_callback,
    rows,
    shorten,
)
from urbact_assistant.adapters.telegram.language import LanguageHandlers
from urbact_assistant.adapters.telegram.runtime import (
    RateLimit,
    StreamedReply,
    markup,
    reply_parameters,
    typing,
)
from urbact_assistant.adapters.telegram.settings import BotSettings
from urbact_assistant.adapters.telegram.state import BotState
from urbact_assistant.adapters.telegram.texts import command_list, pick_language, text

logger = logging.getLogger(__name__)
INLINE_MAX = 50
STATE_TIMEOUT = 2.0  # seconds the bot waits for its state store before going on without it
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


# --- the bot -----------------------------------------------------------------------------


class UrbactBot(InlineHandlers, LanguageHandlers):
    """The handlers, sharing the assistant, the state store and the rate limiter."""

    def __init__(self, settings: BotSettings, assistant: Assistant, store: BotState):
        self.settings = settings
        self.assistant = assistant
        self.store = store
        self.limit = RateLimit(settings.questions_per_minute)
        self.languages = ChatLanguages(store.languages())
        self.awaiting: dict[tuple[int, int], str] = {}  # (chat, user) → the command prompted
        self._background: set[asyncio.Task[Any]] = set()

    # context

    def background(self, fn: Any, *args: Any) -> None:
        """Run a state write in a worker thread without waiting for it."""
        task = asyncio.get_running_loop().create_task(self.io(fn, *args))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def io(self, fn: Any, *args: Any, default: Any = None) -> Any:
        """Call the state store in a worker thread, at most ``STATE_TIMEOUT`` seconds; when it
        is locked or broken, log it and go on with ``default`` (answers without history)."""
        try:
            return await asyncio.wait_for(asyncio.to_thread(fn, *args), STATE_TIMEOUT)
        except (sqlite3.Error, TimeoutError) as exc:
            logger.warning("bot state unavailable (%s); going on without it", type(exc).__name__)
            return default

    def log_text(self, label: str, text: str) -> None:
        if self.settings.log_content:
            logger.debug("%s: %r", label, text)

    # questions

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any text message in a private chat; in groups, only mentions and replies to the bot.
        The caption of a photo or a document is read as a question too."""
        message = update.effective_message
        if message is None or (message.text or message.caption) is None:
            return
        user = update.effective_user
        waiting = self.awaiting.pop((message.chat.id, user.id), None) if user else None
        if waiting == "network":
            context.args = (message.text or "").split()
            await self.network(update, context)
            return
        if waiting == "city" and (message.text or "").strip():
            await self.answer(update, context, message.text or "", city=True)
            return
        question = addressed_question(message, context.bot.id, context.bot.username)
        if question is None:
            return
        await self.answer(update, context, question)

    async def answer(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        question: str,
        city: bool = False,
    ) -> None:
        """Check the question, then ask the assistant and send its answer."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        assert message is not None and chat is not None and user is not None
        lang = self.lang(update)
        question = " ".join(question.split())
        reply_to = message.message_id if chat.type != ChatType.PRIVATE else None
        if not question:
            await message.reply_html(
                text(lang, "empty"), reply_parameters=reply_parameters(reply_to)
            )
            return
        if len(question) > self.settings.max_question:
            await message.reply_html(
                text(lang, "too_long", n=len(question), max=self.settings.max_question),
                reply_parameters=reply_parameters(reply_to),
            )
            return
        if wait := self.limit.wait(user.id):
            await message.reply_html(
                text(lang, "rate_limited", s=wait), reply_parameters=reply_parameters(reply_to)
            )
            return
        self.log_text(f"question in chat {chat.id}", question)
        started = time.monotonic()
        stream = StreamedReply(context.bot, chat.id, self.settings.stream_interval, reply_to)
        loop = asyncio.get_running_loop()
        keys = conversation_keys(message, chat.type, user.id)
        stored = None
        for key in keys:
            if stored := await self.io(self.store.conversation, key):
                break
        conversation = Conversation.from_dict(stored)
        conversation = replace(conversation, language=conversation.language or lang)
        try:
            async with typing(context.bot, chat.id, message.message_thread_id):
                if city:
                    answer = await asyncio.to_thread(self.assistant.city, question, conversation)
                else:
                    answer = await asyncio.to_thread(
                        self.assistant.ask,
                        question,
                        conversation,
                        lambda draft: _post(loop, stream.feed, draft),
                    )
        except asyncio.CancelledError:  # cut short by a stop: answered after the restart
            stream.abandon()
            raise
        except Exception as exc:  # the draft of a streamed answer is replaced by the error
            if isinstance(exc, UrbactError):  # a message meant for users
                shown = fmt.esc(str(exc))
            else:
                self.log_error(update.update_id, exc)
                shown = text(lang, "error")
            if not await stream.finish([shown], None):
                await message.reply_html(shown, reply_parameters=reply_parameters(reply_to))
            return
        if answer.small_talk == "thanks" and chat.type != ChatType.PRIVATE:
            return  # a "thanks" in a group needs no answer
        answer_id = await self.io(
            self.store.add_turn, chat.id, user.id, answer.standalone or question, answer.text
        )
        sent = await self.send_answer(
            context.bot, chat.id, answer, answer_id, answer.language or lang, stream, reply_to
        )
        # Delivered: a stop cutting the bookkeeping below short must not answer it again.
        await self.io(self.store.done, update.update_id, user.id)
        if answer.conversation is not None:  # continued by the next message, or by a reply
            own = [k for k in keys if not k.startswith("msg:")]
            replies = [f"msg:{chat.id}:{message_id}" for message_id in sent]
            state = answer.conversation.to_dict()
            await self.io(self.store.save_conversation, own + replies, user.id, state)
        logger.info(
            "chat %s: answered in %.2fs (%s, %d citations)",
            chat.id, time.monotonic() - started, answer.mode, len(answer.citations),
        )  # fmt: skip

    async def send_answer(
        self,
        bot: Any,
        chat_id: int,
        answer: Answer,
        answer_id: int | None,
        lang: str,
        stream: StreamedReply,
        reply_to: int | None,
    ) -> list[int]:
        """Send the answer (or put it in place of its streamed draft); the message ids."""
        parts = fmt.answer_parts(answer, lang)
        shown = len(answer.citations) if answer.shown is None else answer.shown
        more = text(lang, "show_more", n=len(answer.citations) - shown)
        if answer.small_talk:  # a reply in kind: example questions to tap, no vote
            keyboard = markup(example_keyboard(answer.suggestions))
        else:
            keyboard = markup(answer_keyboard(answer, answer_id, more))
        if await stream.finish(parts, keyboard):
            return [stream.message.message_id] if stream.message else []
        sent = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            message = await bot.send_message(
                chat_id,
                part,
                reply_markup=keyboard if last else None,
                reply_parameters=reply_parameters(reply_to) if i == 0 else None,
            )
            sent.append(message.message_id)
        return sent

    # commands

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """What the bot does; ``/start card_<slug>`` (a deep link) opens that card."""
        if context.args and context.args[0].startswith("card_"):
            card = self.assistant.card(context.args[0][len("card_") :])
            if card is not None:
                await self.send_card(update, context, card)
                return
        lang = self.lang(update)
        examples = [text(lang, f"example.{i}") for i in (1, 2, 3)]
        await self.reply(update, text(lang, "start"), markup(example_keyboard(examples)))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.lang(update)
        help_ = text(lang, "help", bot=context.bot.username or "bot")
        await self.reply(update, fmt.with_command(help_, "language", command_list(lang)))

    async def network(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/network <name>``: one card."""
        lang = self.lang(update)
        name = " ".join(context.args or [])
        if not name:
            await self.prompt(update, "network", text(lang, "ask_network_name"))
            return
        found = await asyncio.to_thread(self.assistant.find_network, name)
        if found.card is None:
            buttons = card_buttons((c.slug, c.name) for c in found.suggestions)
            await self.reply(
                update, text(lang, "not_found", name=shorten(name, 80)), markup(rows(buttons, 1))
            )
            return
        await self.send_card(update, context, found.card)

    async def city(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/city <name>``: the networks a city takes part in."""
        name = " ".join(context.args or [])
        if not name.strip():
            await self.prompt(update, "city", text(self.lang(update), "ask_city_name"))
            return
        await self.answer(update, context, name, city=True)

    async def prompt(self, update: Update, kind: str, html: str) -> None:
        """Ask for what a command lacks; the user's next message in this chat answers it."""
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None and user is not None
        self.awaiting[(chat.id, user.id)] = kind
        message = update.effective_message  # in a group, a selective ForceReply must reply to it
        reply_to = message.message_id if message and chat.type != ChatType.PRIVATE else None
        await update.get_bot().send_message(
            chat.id,
            html,
            reply_markup=ForceReply(selective=True, input_field_placeholder="…"),
            reply_parameters=reply_parameters(reply_to),
        )

    async def join(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/join``: current and next calls, and how to take part."""
        lang = self.lang(update)
        points = self.assistant.national_points(lang)
        html, keyboard = fmt.join_message(self.assistant.calls(), lang, points)
        await self.reply(update, html, markup(keyboard))

    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/forget``: delete everything stored about the user, now."""
        user = update.effective_user
        assert user is not None
        lang = pick_language(user.language_code)
        await asyncio.to_thread(self.store.forget, user.id)  # a failure is reported
        if update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
            self.languages.drop(update.effective_chat.id)
        await self.reply(update, text(lang, "forgot"))

    async def about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update, fmt.about_message(self.assistant.about(), self.lang(update)))

    async def networks(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/networks [filters]``: browse, paged with inline buttons. The filters are read
        like a question, in any supported language ("ongoing Poland food", "Polska")."""
        words = " ".join(context.args or [])
        found = await asyncio.to_thread(self.assistant.read_filter, words)
        html, keyboard = await self.browse(BrowseFilter.of(found), 0, self.lang(update))
        await self.reply(update, html, markup(keyboard))

    async def browse(self, filters: BrowseFilter, page: int, lang: str) -> tuple[str, Any]:
        found = await asyncio.to_thread(self.assistant.browse, filters.network_filter())
        counts = self.assistant.network_types()
        return fmt.browse_page(
            found.networks, filters, page, self.assistant.today(), lang, type_counts=counts
        )

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.reply(update, text(self.lang(update), "unknown_command"))

    async def non_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice…: a short hint."""
        await self.reply(update, text(self.lang(update), "non_text"))

    # cards

    async def send_card(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, card: AnyCard
    ) -> None:
        chat = update.effective_chat
        assert chat is not None
        lang = self.lang(update)
        similar = await asyncio.to_thread(self.assistant.similar, card)
        keyboard = fmt.card_keyboard(card, similar, lang)
        command = update.message  # /network or /start: in a group, reply to it (not to a button)
        reply_to = command.message_id if command and chat.type != ChatType.PRIVATE else None
        await context.bot.send_message(
            chat.id,
            fmt.card_html(card, self.assistant.today(), lang),
            reply_markup=markup(keyboard),
            reply_parameters=reply_parameters(reply_to),
        )

    # buttons and inline mode

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Card buttons, 👍/👎, list pages and filters."""
        query = update.callback_query
        assert query is not None
        lang = pick_language(query.from_user.language_code)  # toasts: the presser's own
        action = parse_callback(query.data)
        card = self.assistant.card(action.slug) if action and action.kind == "card" else None
        if action is None or (action.kind == "card" and card is None) or not _offered(query):
            await query.answer(text(lang, "expired"))
            return
        if action.kind == "feedback":
            chat_id = query.message.chat.id if query.message else 0
            await self.io(
                self.store.add_feedback, action.answer_id, query.from_user.id, chat_id, action.up
            )
            await query.answer(text(lang, "vote_up" if action.up else "vote_down"))
            await self.show_vote(query, action.up)
            return
        if action.kind == "language":
            await query.answer()
            await self.set_chat_language(update, pick_language(action.slug))
            return
        lang = self.lang(update)  # screens: the chat's language, whoever pressed
        if action.kind == "more":
            await self.show_more(update, context, action.answer_id, lang)
            return
        if action.kind == "example":
            await query.answer()
            await self.answer(update, context, text(lang, f"example.{action.page}"))
            return
        await query.answer()
        if action.kind == "card":
            if update.effective_chat is not None and card is not None:
                await self.send_card(update, context, card)
            return
        if action.kind == "countries":
            html, keyboard = fmt.country_picker(
                self.assistant.countries(), action.filters, action.page, lang
            )
        else:
            html, keyboard = await self.browse(action.filters, action.page, lang)
        with suppress(BadRequest):  # "message is not modified": the same page pressed twice
            await query.edit_message_text(html, reply_markup=markup(keyboard))

    async def show_vote(self, query: Any, up: bool) -> None:
        """Mark the chosen 👍/👎 on the answer's keyboard (other buttons unchanged)."""
        message = query.message
        markup_ = getattr(message, "reply_markup", None)
        if markup_ is None:
            return
        rows_ = []
        for row in markup_.inline_keyboard:
            new_row = []
            for button in row:
                data = button.callback_data or ""
                if data.startswith("f:"):
                    chosen = data.endswith(":u") == up
                    label = ("✓ " if chosen else "") + ("👍" if data.endswith(":u") else "👎")
                    button = InlineKeyboardButton(label, callback_data=data)
                new_row.append(button)
            rows_.append(new_row)
        with suppress(BadRequest):  # the same vote twice: "message is not modified"
            await query.edit_message_reply_markup(InlineKeyboardMarkup(rows_))

    async def show_more(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, answer_id: int, lang: str
    ) -> None:
        """The networks behind "N more" of an answer still kept (asked again: the answer is
        computed from today's cards)."""
        query, chat = update.callback_query, update.effective_chat
        assert query is not None
        turn = await self.io(self.store.turn, answer_id)
        if turn is None or chat is None or turn[0] != chat.id:
            await query.answer(text(lang, "expired"))
            return
        await query.answer()
        answer = await asyncio.to_thread(self.assistant.ask, turn[1], Conversation(language=lang))
        shown = len(answer.citations) if answer.shown is None else answer.shown
        cards = [self.assistant.card(c.slug) for c in answer.citations[shown:]]
        networks = [c for c in cards if isinstance(c, NetworkCard)]
        html, keyboard = fmt.more_message(networks, self.assistant.today(), answer.language)
        await context.bot.send_message(chat.id, html, reply_markup=markup(keyboard))

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
        lang = pick_language(update.effective_user.language_code if update.effective_user else None)
        with suppress(Exception):
            if update.callback_query:
                await update.callback_query.answer(text(lang, "expired"))
        if update.effective_chat and not update.inline_query:
            with suppress(Exception):
                await context.bot.send_message(update.effective_chat.id, text(lang, "error"))

    async def reply(
        self, update: Update, html: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        reply_to = message.message_id if message and chat.type != ChatType.PRIVATE else None
        await update.get_bot().send_message(
            chat.id, html, reply_markup=keyboard, reply_parameters=reply_parameters(reply_to)
        )


def _post(loop: asyncio.AbstractEventLoop, fn: Any, arg: Any) -> None:
    """Run ``fn(arg)`` on the loop from a worker thread; nothing once the loop is closed (a
    question cut short by a stop may still be streaming in its thread)."""
    if not loop.is_closed():
        with suppress(RuntimeError):
            loop.call_soon_threadsafe(fn, arg)


def _offered(query: Any) -> bool:
    """Whether the pressed data is on the message's own keyboard: a client that sends other
    data (a vote on another chat's answer) is not obeyed. Inline messages carry no copy."""
    markup_ = getattr(query.message, "reply_markup", None)
    if markup_ is None:
        return True
    offered = {b.callback_data for row in markup_.inline_keyboard for b in row}
    return query.data in offered
