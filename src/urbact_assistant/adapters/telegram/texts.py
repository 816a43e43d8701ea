"""UI texts of the bot: one data file per language, ``data/ui/<lang>.yaml``.

Each file has ``commands`` (descriptions for ``setMyCommands``) and ``texts`` (Telegram HTML
with ``{name}`` fields). A key missing in a language falls back to English.
"""

from __future__ import annotations

import html
from functools import cache
from importlib.resources import files

import yaml

COMMANDS = ("start", "help", "networks", "network", "city", "join", "forget", "about")
# Toasts of answerCallbackQuery and button labels are plain text, never parsed as HTML.
PLAIN_KEYS = frozenset({"expired", "thanks", "all", "ask_the_bot"})


def _folder():
    return files("urbact_assistant").joinpath("data", "ui")


@cache
def languages() -> tuple[str, ...]:
    """The languages that have a UI file, English first."""
    codes = sorted(
        p.name.removesuffix(".yaml") for p in _folder().iterdir() if p.name.endswith(".yaml")
    )
    return ("en", *(c for c in codes if c != "en"))


@cache
def catalogue(lang: str) -> dict[str, dict[str, str]]:
    """``{"commands": {...}, "texts": {...}}`` of one language (empty when it has no file)."""
    resource = _folder().joinpath(f"{lang}.yaml")
    if not resource.is_file():
        return {"commands": {}, "texts": {}}
    data = yaml.safe_load(resource.read_text(encoding="utf-8")) or {}
    return {part: dict(data.get(part) or {}) for part in ("commands", "texts")}


def pick_language(code: str | None) -> str:
    """A UI language from a Telegram ``language_code`` (``pt-br`` → ``pt`` when there is a
    Portuguese file, else ``en``)."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in languages() else "en"


def template(lang: str, key: str) -> str:
    """The raw text of ``key`` in ``lang``, English when the language lacks it."""
    found = catalogue(lang)["texts"].get(key)
    return found if found is not None else catalogue("en")["texts"][key]


def text(lang: str, key: str, **values: object) -> str:
    """A UI text in ``lang`` with ``values`` filled in (escaped, except in plain texts)."""
    if key in PLAIN_KEYS:
        return template(lang, key).format(**values)
    return template(lang, key).format(**{k: html.escape(str(v)) for k, v in values.items()})


def command_list(lang: str) -> list[tuple[str, str]]:
    """``(command, description)`` pairs for ``setMyCommands`` in ``lang``."""
    own, english = catalogue(lang)["commands"], catalogue("en")["commands"]
    return [(c, own.get(c) or english[c]) for c in COMMANDS]
