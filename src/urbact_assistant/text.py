"""Text normalisation shared by matching and lexical search (pure functions)."""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({"ß": "ss", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
                       "æ": "ae", "œ": "oe", "ı": "i", "’": "'"})  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case and strip accents: ``Nyíregyháza`` → ``nyiregyhaza``, ``Gdańsk`` → ``gdansk``."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def tokens(text: str) -> list[str]:
    """Folded alphanumeric tokens."""
    return _WORD.findall(fold(text))


def phrase(text: str) -> str:
    """Folded tokens joined by single spaces, padded, for whole-word ``in`` tests."""
    return f" {' '.join(tokens(text))} "
