"""Split a card into the short passages that are embedded and indexed (pure functions).

A sentence encoder works best on sentence-sized text, so a card becomes: a header (name,
type, themes), its body in windows of a few sentences, and a partners passage. Retrieval
folds passages back into one result per card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from urbact_assistant.core.models import AnyCard, NetworkCard, Party
from urbact_assistant.knowledge.countries import country_name

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý\"'(])")
WINDOW_WORDS = 60


@dataclass(frozen=True)
class Passage:
    id: str
    slug: str
    kind: str  # "network" or "programme"
    part: str
    text: str


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def windows(text: str, max_words: int = WINDOW_WORDS) -> list[str]:
    """Group consecutive sentences into windows of at most ``max_words`` words."""
    out: list[str] = []
    current: list[str] = []
    count = 0
    for paragraph in re.split(r"\n\s*\n", text):
        for sentence in sentences(paragraph):
            words = len(sentence.split())
            if current and count + words > max_words:
                out.append(" ".join(current))
                current, count = [], 0
            current.append(sentence)
            count += words
        if current:
            out.append(" ".join(current))
            current, count = [], 0
    return out


def header_text(card: AnyCard) -> str:
    aliases = f" ({', '.join(card.aliases)})" if card.aliases else ""
    if isinstance(card, NetworkCard):
        themes = ", ".join(card.themes)
        return f"{card.name}{aliases}: URBACT {card.type_label}. Themes: {themes}."
    return f"{card.title}{aliases}."


def party_text(party: Party) -> str:
    """``Dubrovnik Development Agency DURA, Dubrovnik (Croatia)``."""
    city = f", {party.city}" if party.city and party.city not in party.name else ""
    return f"{party.name}{city} ({country_name(party.country)})"


def partners_text(card: NetworkCard) -> str:
    lead = f" Lead partner: {party_text(card.lead_partner)}." if card.lead_partner else ""
    partners = "; ".join(party_text(p) for p in card.partners)
    return f"{card.name} network.{lead} Partner cities: {partners}."


def passages_fingerprint(card: AnyCard) -> str:
    """Changes whenever any passage indexed for the card changes (text or split)."""
    import hashlib

    joined = "\n\0".join(f"{p.id}|{p.part}|{p.text}" for p in card_passages(card))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def card_passages(card: AnyCard) -> list[Passage]:
    """The passages indexed for one card, with ids stable for unchanged text."""
    parts: list[tuple[str, str]] = [("header", header_text(card))]
    parts += [("body", text) for text in windows(card.body)]
    if isinstance(card, NetworkCard):
        # Each theme alone: short keyword questions ("télétravail?") match short passages best.
        parts.append(("themes", f"{card.name}: {', '.join(card.themes)}."))
        if card.members:
            parts.append(("partners", partners_text(card)))
    return [
        Passage(id=f"{card.slug}:{i}", slug=card.slug, kind=card.doc_kind, part=part, text=text)
        for i, (part, text) in enumerate(parts)
    ]
