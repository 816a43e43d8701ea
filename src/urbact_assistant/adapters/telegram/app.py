"""Wiring and running: the application with every handler, polling or webhook.

Run it with ``urbact-assistant bot``. ``TELEGRAM_BOT_TOKEN`` is required; the bot polls by
default and serves a webhook when ``URBACT_WEBHOOK_URL`` is set (see ``BotSettings``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from urbact_assistant import Assistant, ConfigError, Settings, UrbactError, environment
from urbact_assistant.adapters.telegram import texts
from urbact_assistant.adapters.telegram.bot import UrbactBot
from urbact_assistant.adapters.telegram.runtime import (
    ChatOrderedProcessor,
    DeliveringRateLimiter,
    WorkerThreads,
    install_log_filters,
    quiet_loggers,
)
from urbact_assistant.adapters.telegram.settings import BotSettings
from urbact_assistant.adapters.telegram.state import BotState

logger = logging.getLogger("urbact_assistant.adapters.telegram.bot")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query"]
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
STOP_WITHIN = 9.0  # seconds from SIGTERM to exit: `docker stop` kills the process at 10
STOP_RESERVE = 3.0  # of those: awaiting the handlers cut short, closing connections and the
# state file, 1 s at most each (stopping the updates happens within the drain time)


async def start_up(app: Application) -> None:
    """Replay the updates a previous process was handling when it died, then register the
    commands."""
    bot: UrbactBot = app.bot_data["urbact"]
    for payload in bot.store.unfinished():
        update = Update.de_json(json.loads(payload), app.bot)
        if update is not None:
            logger.info("replaying update %s, cut short by a previous stop", update.update_id)
            await app.update_queue.put(update)
    await register_commands(app)


async def register_commands(app: Application) -> None:
    """``setMyCommands`` in English (the default) and each supported language."""
    for lang in texts.languages():
        commands = [BotCommand(c, d) for c, d in texts.command_list(lang)]
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
        .rate_limiter(DeliveringRateLimiter(max_retries=3))
        .concurrent_updates(ChatOrderedProcessor(store))
        .post_init(start_up)
        .build()
    )
    bot = UrbactBot(bot_settings, assistant, store)
    app.bot_data["urbact"] = bot
    only_new = filters.UpdateType.MESSAGE  # edited messages never trigger a second answer
    for name in texts.COMMANDS:
        app.add_handler(CommandHandler(name, getattr(bot, name), filters=only_new))
    app.add_handler(MessageHandler(only_new & filters.TEXT & ~filters.COMMAND, bot.on_text))
    app.add_handler(MessageHandler(only_new & filters.CAPTION & ~filters.COMMAND, bot.on_text))
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


def drain_time(settings: Settings) -> float:
    """How long a stop lets answers in progress finish: the LLM's budget, capped so that the
    process exits within ``STOP_WITHIN`` seconds."""
    return max(0.0, min(settings.llm_timeout, STOP_WITHIN - STOP_RESERVE))


async def serve(app: Application, bot_settings: BotSettings, drain: float) -> None:
    """Start, run until SIGTERM or SIGINT, then stop within ``drain`` + ``STOP_RESERVE``
    seconds: no new updates are taken, answers in progress get ``drain`` seconds to finish,
    and those still running then are cut short: their updates stay in the state file and are
    answered after the restart (``start_up``). A second signal cuts them short at once."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(WorkerThreads())  # a stop never waits for a worker thread
    signals = [asyncio.Event(), asyncio.Event()]

    def on_signal() -> None:
        (signals[1] if signals[0].is_set() else signals[0]).set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal)
    updater = app.updater
    assert updater is not None  # built with one
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        if bot_settings.webhook_url:
            await updater.start_webhook(**webhook_options(bot_settings))
        else:
            await updater.start_polling(
                allowed_updates=ALLOWED_UPDATES,
                error_callback=lambda exc: _no_result(
                    app.create_task(app.process_error(None, exc))
                ),
            )
        await app.start()
        await signals[0].wait()
        await stop(app, drain, signals[1])
    finally:
        await _within(app.shutdown(), 1.0, "closing connections")


async def stop(app: Application, drain: float, hurry: asyncio.Event) -> None:
    """Stop taking updates, let answers in progress finish for at most ``drain`` seconds (or
    until ``hurry`` is set), then cut the others short."""
    processor: ChatOrderedProcessor = app.update_processor  # type: ignore[assignment]
    deadline = asyncio.get_running_loop().time() + drain
    logger.info("stopping: no new updates; answers in progress get up to %.0f s", drain)
    if app.updater is not None and app.updater.running:
        await _within(app.updater.stop(), 1.0, "stopping updates")
    stopping = asyncio.ensure_future(app.stop())  # handles what was fetched, awaits handlers
    hurried = asyncio.ensure_future(hurry.wait())
    left = max(0.0, deadline - asyncio.get_running_loop().time())
    await asyncio.wait({stopping, hurried}, timeout=left, return_when=asyncio.FIRST_COMPLETED)
    hurried.cancel()
    if not stopping.done():
        cut = processor.cut_short()
        logger.warning(
            "stopping: %d update(s) cut short; they will be handled after the restart", cut
        )
    await _within(stopping, 1.0, "stopping handlers")
    logger.info("stopped")


async def _within(step: Awaitable[Any], seconds: float, what: str) -> None:
    """Await a step of the stop for at most ``seconds``; a failure is logged, not raised."""
    try:
        await asyncio.wait_for(step, seconds)
    except TimeoutError:
        logger.warning("stopping: %s took over %.1f s; going on", what, seconds)
    except Exception as exc:
        logger.warning("stopping: %s failed (%s); going on", what, type(exc).__name__)


def _no_result(_: object) -> None:
    """Drop a value (a task nobody awaits: its errors reach the error handler)."""


def run_bot(settings: Settings, bot_settings: BotSettings | None = None) -> None:
    """Run until SIGTERM or SIGINT: polling, or a webhook server when ``URBACT_WEBHOOK_URL``
    is set; a stop takes at most ``STOP_WITHIN`` seconds (``serve``)."""
    bot_settings = bot_settings or BotSettings.from_env(environment())
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    install_log_filters(bot_settings.token)
    try:  # a damaged index is said once, here, with a non-zero exit: not on every question
        assistant = Assistant.open(
            settings, on_build=lambda what: logger.info("%s (first use)", what)
        )
        assistant.check_index()
    except UrbactError as exc:
        logger.error("cannot start: %s", exc)
        raise
    with suppress(Exception):  # load the embedding model now, not on the first question
        assistant.retrieve("URBACT networks")
    store = BotState.open(settings.data_dir)
    app = build_application(bot_settings, assistant, store)
    try:
        asyncio.run(serve(app, bot_settings, drain_time(settings)))
    except InvalidToken:
        raise ConfigError(
            "Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather"
        ) from None
    except NetworkError as exc:
        message = str(exc).replace(bot_settings.token, "<token>")
        raise UrbactError(f"cannot reach the Telegram Bot API: {message}") from None
    finally:
        store.close()
    exit_now()


def exit_now() -> None:
    """End the process at once, everything being closed: tearing the interpreter down
    (Chroma's native store, the model, a thread still waiting for the LLM) takes 1-2 s more,
    which `docker stop`'s 10 s would have to include."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
