"""UI texts of the bot, from the library's language files (``data/ui/<lang>.yaml``, read by
``urbact_assistant.phrases``): ``commands`` for ``setMyCommands`` and ``texts`` (Telegram HTML
with ``{name}`` fields), escaped here. A key missing in a language falls back to English.
"""

from __future__ import annotations

import html

from urbact_assistant import phrases

COMMANDS = (
    "start", "help", "networks", "network", "city", "join", "language", "forget", "about",
)  # fmt: skip
# Toasts of answerCallbackQuery and button labels are plain text, never parsed as HTML.
PLAIN_KEYS = frozenset({"expired", "thanks", "all", "ask_the_bot", "show_more"})


def languages() -> tuple[str, ...]:
    """The languages that have a UI file, English first."""
    return phrases.languages()


def catalogue(lang: str) -> dict:
    """``{"commands": {...}, "texts": {...}, "answers": {...}}`` of one language."""
    return phrases.catalogue(lang)


def pick_language(code: str | None) -> str:
    """A UI language from a Telegram ``language_code`` (``pt-br`` → ``pt`` when there is a
    Portuguese file, else ``en``)."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in languages() else "en"


def language_from(word: str) -> str | None:
    """The UI language a user means by ``word``: a code (``fr``, ``pt-BR``) or a language's
    name in any UI language (``français``, ``French``, ``Französisch``); None if none."""
    word = word.strip().casefold()
    base = word.split("-")[0].split("_")[0]
    if base in languages():
        return base
    for code in languages():
        if any(phrases.sort_key(phrases.language_name(code, ui)) == phrases.sort_key(word)
               for ui in languages()):  # fmt: skip
            return code
    return None


def template(lang: str, key: str) -> str:
    """The raw text of ``key`` in ``lang``, English when the language lacks it."""
    return str(phrases.raw(lang, key, "texts"))


def text(lang: str, key: str, **values: object) -> str:
    """A UI text in ``lang`` with ``values`` filled in (escaped, except in plain texts)."""
    if key in PLAIN_KEYS:
        return template(lang, key).format(**values)
    return template(lang, key).format(**{k: html.escape(str(v)) for k, v in values.items()})


def command_list(lang: str) -> list[tuple[str, str]]:
    """``(command, description)`` pairs for ``setMyCommands`` in ``lang``."""
    own, english = catalogue(lang)["commands"], catalogue("en")["commands"]
    return [(c, own.get(c) or english[c]) for c in COMMANDS]
