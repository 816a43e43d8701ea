"""Text normalisation shared by matching and lexical search (pure functions)."""

from __future__ import annotations

import re

from anyascii import anyascii

_WORD = re.compile(r"[a-z0-9]+")
# Cyrillic signs that transliterate to an apostrophe, which would split a word in two:
# the soft sign and the apostrophe are dropped, the Bulgarian hard sign is "a" (its official
# romanisation): "Львів" → "lviv", "партньор" → "partnor", "кръгова" → "kragova".
_CYRILLIC_SIGNS = re.compile(r"[ьЬ]|(?<=[\u0400-\u04ff])['’ʼ](?=[\u0400-\u04ff])|[ъЪ]")


def _cyrillic_sign(match: re.Match[str]) -> str:
    return "a" if match.group(0) in "ъЪ" else ""


def fold(text: str) -> str:
    """Transliterate to ASCII and lower-case: ``Nyíregyháza`` → ``nyiregyhaza``,
    ``Gdańsk`` → ``gdansk``, ``Ρέθυμνο`` → ``rethymno``, ``Львів`` → ``lviv``."""
    if text.isascii():
        return text.casefold()
    return anyascii(_CYRILLIC_SIGNS.sub(_cyrillic_sign, text)).casefold()


def tokens(text: str) -> list[str]:
    """Folded alphanumeric tokens."""
    return _WORD.findall(fold(text))


def phrase(text: str) -> str:
    """Folded tokens joined by single spaces, padded, for whole-word ``in`` tests."""
    return f" {' '.join(tokens(text))} "


_DOUBLE = re.compile(r"(.)\1+")
# Spellings that transliterations of one name differ by: "Ужице" folds to "uzhitse" and
# "Užice" to "uzice"; "Хотин" to "khotin" and the card's "Khotyn".
_SKELETON = re.compile(r"sch|[kzcsgt]h|ts|tz|cz|sz|ck|[jyw]|(.)\1")
_SKELETON_MAP = {"sch": "s", "kh": "h", "zh": "z", "ch": "c", "sh": "s", "gh": "g", "th": "t",
                 "ts": "c", "tz": "c", "cz": "c", "sz": "s", "ck": "k", "j": "i", "y": "i", "w": "v"}  # fmt: skip


def skeleton(word: str) -> str:
    """A folded word without the letters transliterations disagree on."""
    reduced = _SKELETON.sub(lambda m: _SKELETON_MAP.get(m.group(0), m.group(0)[:1]), word)
    return _DOUBLE.sub(r"\1", reduced)  # "sofiya" → "sofiia" → "sofia"
