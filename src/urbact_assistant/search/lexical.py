"""BM25 over whole cards (``bm25s``), with accent folding, multilingual stop words and stemming.

Cards are short, so one BM25 document per card: its name and aliases (weighted), themes,
type, body and partner places. Built in memory from the corpus at start-up (a few ms).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from urbact_assistant.core.models import AnyCard, NetworkCard
from urbact_assistant.core.text import tokens
from urbact_assistant.knowledge.countries import country_name
from urbact_assistant.understanding.lexicon import stop_words


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def analyse(text: str, stop: frozenset[str] | None = None) -> list[str]:
    """Folded, stop-word-free, stemmed tokens (numbers kept: ``2nite``, ``2023``)."""
    stop = stop_words() if stop is None else stop
    return _stemmer().stemWords([t for t in tokens(text) if t not in stop and len(t) > 1])


def card_text(card: AnyCard) -> str:
    names = " ".join((card.title, *card.aliases))
    parts = [names, names, names]
    if isinstance(card, NetworkCard):
        parts += [" ".join(card.themes)] * 2
        parts += [card.type_label, card.programme]
        parts += [f"{p.place} {p.name} {country_name(p.country)}" for p in card.members]
    parts.append(card.body)
    return "\n".join(parts)


class LexicalIndex:
    """BM25 scores of a question against each card."""

    def __init__(self, cards: Sequence[AnyCard]):
        import bm25s

        self.slugs = [c.slug for c in cards]
        self.stop = stop_words()
        self.bm25 = bm25s.BM25()
        self.bm25.index([analyse(card_text(c), self.stop) for c in cards], show_progress=False)
        self.vocab = set(self.bm25.vocab_dict)

    def scores(self, question: str) -> dict[str, float]:
        """BM25 score per card slug (only cards scoring above zero)."""
        terms = [t for t in analyse(question, self.stop) if t in self.vocab]
        if not terms:
            return {}
        values = np.asarray(self.bm25.get_scores(terms))
        return {self.slugs[i]: float(values[i]) for i in np.flatnonzero(values > 0)}
