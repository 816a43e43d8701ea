"""The chat's language in the bot: resolving it for each update (see ``chatlang``) and the
``/language`` command (mixed into ``UrbactBot``)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from urbact_assistant import phrases
from urbact_assistant.adapters.telegram import render as fmt
from urbact_assistant.adapters.telegram.chatlang import ChatLanguages
from urbact_assistant.adapters.telegram.runtime import markup
from urbact_assistant.adapters.telegram.texts import language_from, languages, pick_language, text


class LanguageHandlers:
    """Needs ``languages``, ``store``, ``background``, ``io`` and ``reply`` of the bot."""

    languages: ChatLanguages
    store: Any
    background: Any
    io: Any
    reply: Any

    def lang(self, update: Update) -> str:
        """The chat's language (see ``chatlang``): the user's Telegram ``language_code`` in
        a private chat, the members' most used one in a group, unless set with /language.
        Changes are written to the store in the background (the loop never waits on SQLite)."""
        chat, user = update.effective_chat, update.effective_user
        code = pick_language(user.language_code) if user and user.language_code else None
        if chat is None:
            return code or "en"
        private = chat.type == ChatType.PRIVATE
        lang, changed = self.languages.resolve(chat.id, private, user.id if user else None, code)
        if changed:
            owner = user.id if private and user else None
            self.background(self.store.set_language, chat.id, lang, owner)
        return lang

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/language [code]``: the chat's language, from buttons or a code ("fr");
        in a group only an administrator may set it."""
        lang = self.lang(update)
        wanted = language_from(" ".join(context.args or []))
        if wanted is None:
            html, keyboard = fmt.language_picker(languages(), lang, lang)
            await self.reply(update, html, markup(keyboard))
            return
        await self.set_chat_language(update, wanted)

    async def set_chat_language(self, update: Update, wanted: str) -> None:
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None and user is not None
        if chat.type != ChatType.PRIVATE:
            member = await update.get_bot().get_chat_member(chat.id, user.id)
            if member.status not in ("administrator", "creator"):
                await self.reply(update, text(self.lang(update), "admins_only"))
                return
        self.languages.pin(chat.id, wanted)
        owner = user.id if chat.type == ChatType.PRIVATE else None
        await self.io(self.store.set_language, chat.id, wanted, owner, True)
        name = phrases.language_name(wanted, wanted, capital=False)
        await update.get_bot().send_message(chat.id, text(wanted, "language_set", language=name))
