"""Wiring and running: the application with every handler, polling or webhook.

Run it with ``urbact-assistant bot``. ``TELEGRAM_BOT_TOKEN`` is required; the bot polls by
default and serves a webhook when ``URBACT_WEBHOOK_URL`` is set (see ``BotSettings``).
"""

from __future__ import annotations

import json
import logging
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
    install_log_filters,
    quiet_loggers,
)
from urbact_assistant.adapters.telegram.settings import BotSettings
from urbact_assistant.adapters.telegram.state import BotState

logger = logging.getLogger("urbact_assistant.adapters.telegram.bot")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query"]
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


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


def run_bot(settings: Settings, bot_settings: BotSettings | None = None) -> None:
    """Run until interrupted: polling, or a webhook server when ``URBACT_WEBHOOK_URL`` is set."""
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
