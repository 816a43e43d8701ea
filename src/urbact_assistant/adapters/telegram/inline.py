"""Inline mode (``@bot <text>`` in any chat): cards to share, with a deep link back."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from urbact_assistant import AnyCard, NetworkCard
from urbact_assistant.adapters.telegram import render as fmt
from urbact_assistant.adapters.telegram.keyboards import Button, shorten
from urbact_assistant.adapters.telegram.runtime import markup
from urbact_assistant.adapters.telegram.texts import pick_language, text

INLINE_MAX = 50
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class InlineHandlers:
    """The inline-mode handlers of the bot (mixed into ``UrbactBot``)."""

    assistant: Any
    settings: Any

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``@bot <text>``: cards to share, networks and programme pages (at most 50); when
        nothing matches, a button that opens the assistant."""
        query = update.inline_query
        assert query is not None
        lang = pick_language(query.from_user.language_code)
        words = " ".join(query.query.split())[: self.settings.max_question]
        cards = await asyncio.to_thread(self.assistant.search_cards, words)
        results = [
            self.inline_result(card, lang, context.bot.username) for card in cards[:INLINE_MAX]
        ]
        button = None
        if not results and context.bot.username:
            button = InlineQueryResultsButton(
                text(lang, "open_assistant"), start_parameter="inline"
            )
        await query.answer(results, cache_time=30, is_personal=False, button=button)

    def inline_result(
        self, card: AnyCard, lang: str, username: str | None
    ) -> InlineQueryResultArticle:
        today = self.assistant.today()
        buttons = [b for row in fmt.card_keyboard(card, (), lang) for b in row]
        if username:
            deep_link = f"https://t.me/{username}?start=card_{card.slug}"
            buttons.insert(0, Button(text(lang, "ask_the_bot"), url=deep_link))
        description = (
            fmt.inline_description(card, today, lang)
            if isinstance(card, NetworkCard)
            else shorten(card.first_sentence, 200)
        )
        return InlineQueryResultArticle(
            id=card.slug,
            title=card.name,
            description=description,
            input_message_content=InputTextMessageContent(
                fmt.card_html(card, today, lang),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
            ),
            reply_markup=markup([buttons]),
        )
