"""One language per chat, so a screen never mixes two.

A private chat speaks the user's Telegram language until the user picks one with
``/language``. A group speaks the language most of its members use (each member counted once,
by the ``language_code`` Telegram sends with their messages and button presses), so the list a
German city shares with its partners does not flip to Polish when a Polish member taps a
button; an administrator can fix the group's language with ``/language``. Nothing here imports
``telegram`` or touches the store: the bot persists what ``resolve`` reports as changed.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field

MEMBERS_KEPT = 500  # members remembered per group (in memory only), the most recent ones


@dataclass
class ChatLanguage:
    language: str
    pinned: bool = False  # chosen with /language: nothing else changes it
    members: OrderedDict[int, str] = field(default_factory=OrderedDict)  # user id → language


class ChatLanguages:
    """The language of every chat the bot has seen, from the stored ``(language, pinned)``."""

    def __init__(self, stored: dict[int, tuple[str, bool]] | None = None):
        self.chats = {
            chat: ChatLanguage(lang, pinned) for chat, (lang, pinned) in (stored or {}).items()
        }

    def get(self, chat_id: int) -> str | None:
        found = self.chats.get(chat_id)
        return found.language if found else None

    def resolve(
        self, chat_id: int, private: bool, user_id: int | None, code: str | None
    ) -> tuple[str, bool]:
        """The chat's language after a message or a button press of ``user_id`` whose
        Telegram language is ``code`` (a supported UI language, or None), and whether it
        changed (and should be stored)."""
        chat = self.chats.get(chat_id)
        if chat is not None and chat.pinned:
            return chat.language, False
        if code is None or user_id is None:
            return (chat.language if chat else "en"), False
        if chat is None:
            self.chats[chat_id] = ChatLanguage(code)
            if not private:
                self.chats[chat_id].members[user_id] = code
            return code, True
        if private:
            changed = chat.language != code
            chat.language = code
            return code, changed
        chat.members[user_id] = code
        chat.members.move_to_end(user_id)
        while len(chat.members) > MEMBERS_KEPT:
            chat.members.popitem(last=False)
        counts = Counter(chat.members.values())
        best = max(counts.values())
        if counts.get(chat.language, 0) == best:  # a tie keeps the current language
            return chat.language, False
        chat.language = next(lang for lang, n in counts.most_common() if n == best)
        return chat.language, True

    def pin(self, chat_id: int, language: str) -> None:
        """``/language``: this chat speaks ``language`` from now on."""
        chat = self.chats.setdefault(chat_id, ChatLanguage(language))
        chat.language, chat.pinned = language, True

    def drop(self, chat_id: int) -> None:
        """``/forget`` in a private chat: back to the Telegram language."""
        self.chats.pop(chat_id, None)
