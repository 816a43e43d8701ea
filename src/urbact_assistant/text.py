"""Text normalisation shared by matching and lexical search (pure functions)."""

from __future__ import annotations

import re

from anyascii import anyascii

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Transliterate to ASCII and lower-case: ``Nyíregyháza`` → ``nyiregyhaza``,
    ``Gdańsk`` → ``gdansk``, ``Ρέθυμνο`` → ``rethymno``, ``Львів`` → ``l'viv``."""
    return (text if text.isascii() else anyascii(text)).casefold()


def tokens(text: str) -> list[str]:
    """Folded alphanumeric tokens."""
    return _WORD.findall(fold(text))


def phrase(text: str) -> str:
    """Folded tokens joined by single spaces, padded, for whole-word ``in`` tests."""
    return f" {' '.join(tokens(text))} "
