"""The deterministic answer composer: a cited answer from retrieved cards, with no LLM.

Pure functions: ``compose(retrieval)`` turns the understood question and its cards into an
``Answer`` whose ``[n]`` markers map to ``Answer.citations``. Status and call state are
computed from the cards' dates against ``retrieval.today``.
"""

from __future__ import annotations

import datetime as dt
import re

from urbact_assistant.core.models import (
    Answer,
    AnyCard,
    Citation,
    Hit,
    NetworkCard,
    ProgrammePage,
    Retrieval,
)
from urbact_assistant.knowledge.countries import country_name

CONTACT = "the URBACT secretariat or your National URBACT Point (https://urbact.eu/contact)"
STATUS_WORDS = {
    "ongoing": "ongoing",
    "ended": "ended",
    "upcoming": "not started yet",
    "unknown": "dates not confirmed",
}
CALL_WORDS = {"open": "open now", "upcoming": "opens soon", "closed": "closed", "unknown": ""}


class Citations:
    """Numbers cards in the order they are first cited."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def cite(self, card: AnyCard) -> str:
        for c in self.items:
            if c.slug == card.slug:
                return f"[{c.n}]"
        self.items.append(Citation(len(self.items) + 1, card.slug, card.title, card.url))
        return f"[{len(self.items)}]"


def network_status_text(card: NetworkCard, today: dt.date) -> str:
    """``Jun 2023 – Dec 2025, ended``."""
    status = STATUS_WORDS[card.status(today)]
    period = card.period()
    return f"{period}, {status}" if period else status


def network_line(card: NetworkCard, today: dt.date, marker: str) -> str:
    """One list line: name, type, period and status, one-sentence description, citation."""
    return (
        f"- {card.name} ({card.type_label}, {card.programme}; "
        f"{network_status_text(card, today)}): {card.first_sentence} {marker}"
    )


def network_detail(card: NetworkCard, today: dt.date, marker: str) -> str:
    """A paragraph about one network: what, when, who leads, who takes part."""
    lines = [
        f"{card.name} is an URBACT {card.type_label} ({card.programme}). {card.first_sentence} {marker}"
    ]
    if card.period():
        lines.append(f"Period: {network_status_text(card, today)}.")
    if card.lead_partner:
        lines.append(f"Lead partner: {card.lead_partner.label()}.")
    if card.partners:
        lines.append("Partners: " + ", ".join(p.label() for p in card.partners) + ".")
    if card.themes:
        lines.append("Themes: " + ", ".join(card.themes) + ".")
    return "\n".join(lines)


def page_paragraph(
    card: ProgrammePage, today: dt.date, marker: str, terms: frozenset[str] = frozenset()
) -> str:
    """A programme page in brief, with a call's dates and state as of today: its opening
    sentence and the sentences that share most words with the question (``terms``)."""
    head = card.title
    if card.kind == "call" and (card.opens or card.closes):
        dates = card.dates_text()
        state = CALL_WORDS[card.call_status(today)]
        head += f" ({dates}{'; ' + state if state else ''})"
    return f"{head}: {' '.join(best_sentences(card.body, terms))} {marker}"


def best_sentences(body: str, terms: frozenset[str], count: int = 3) -> list[str]:
    """The first sentence, then the ones richest in ``terms`` (stemmed), in text order."""
    from urbact_assistant.search.lexical import analyse

    sentences = [s for s in _sentences(body) if len(s.split()) >= 5]  # no headings
    if len(sentences) <= count:
        return sentences
    overlap = [len(terms & set(analyse(s))) for s in sentences]
    ranked = sorted(range(1, len(sentences)), key=lambda i: (-overlap[i], i))
    chosen = {0} | {i for i in ranked[: count - 1] if overlap[i] > 0}
    if len(chosen) < count:  # nothing matched: keep reading from the start
        chosen |= set(range(count))
    return [sentences[i] for i in sorted(chosen)[:count]]


def plain(text: str) -> str:
    """Markdown emphasis and list markers removed: answers are plain text."""
    text = re.sub(r"(?m)^\s*(?:#+\s.*|\*\*[^*\n]+\*\*[.:]?)\s*$", "", text)  # headings
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?!\w)", r"\1", text)
    text = re.sub(r"(?m)^\s*(?:[-*]|\d+\.)\s+", "", text)
    return re.sub(r"\[([^\]]+)\]\((https?://[^)]+)\)", r"\1", text)


def _sentences(text: str) -> list[str]:
    from urbact_assistant.knowledge.passages import sentences

    return sentences(plain(text))


def compose(retrieval: Retrieval) -> Answer:
    """The offline answer to ``retrieval.query``, citing ``retrieval.hits``."""
    query, hits, today = retrieval.query, retrieval.hits, retrieval.today
    if not hits:
        return Answer(question=query.text, text=_nothing_found(retrieval))
    cites = Citations()
    if query.kind == "network":
        body = "\n\n".join(
            network_detail(h.card, today, cites.cite(h.card))
            for h in hits
            if isinstance(h.card, NetworkCard)
        )
    elif query.kind == "city":
        body = _city_answer(retrieval, cites)
    elif query.kind == "join" or all(isinstance(h.card, ProgrammePage) for h in hits):
        body = "\n\n".join(
            page_paragraph(h.card, today, cites.cite(h.card), _question_terms(retrieval))
            for h in hits
            if isinstance(h.card, ProgrammePage)
        )
    else:
        body = _topic_answer(retrieval, hits, cites)
    return Answer(question=query.text, text=body, citations=cites.items)


def _question_terms(retrieval: Retrieval) -> frozenset[str]:
    """Stemmed words of the question, its thesaurus expansion and the countries it names."""
    from urbact_assistant.search.lexical import analyse

    q = retrieval.query
    countries = " ".join(country_name(c) for c in q.countries)
    return frozenset(analyse(f"{q.text} {q.expansion} {countries}"))


def _topic_answer(retrieval: Retrieval, hits: list[Hit], cites: Citations) -> str:
    networks = [h.card for h in hits if isinstance(h.card, NetworkCard)]
    intro = f"{len(networks)} URBACT network{'s' if len(networks) != 1 else ''} match"
    intro += "es" if len(networks) == 1 else ""
    filters = _filters_text(retrieval)
    lines = [f"{intro} your question{filters}:"]
    lines += [network_line(c, retrieval.today, cites.cite(c)) for c in networks]
    return "\n".join(lines)


def _filters_text(retrieval: Retrieval) -> str:
    q = retrieval.query
    parts = []
    if q.status:
        parts.append(f"{STATUS_WORDS[q.status]} as of {retrieval.today.isoformat()}")
    if q.countries:
        parts.append("with partners in " + ", ".join(country_name(c) for c in q.countries))
    if q.type:
        from urbact_assistant.core.models import NETWORK_TYPES

        parts.append(NETWORK_TYPES[q.type] + "s")
    if q.programme:
        parts.append(q.programme)
    return f" ({'; '.join(parts)})" if parts else ""


def _city_answer(retrieval: Retrieval, cites: Citations) -> str:
    today = retrieval.today
    paragraphs = []
    for city, _ in retrieval.query.city_slugs.items():
        cards = [
            h.card
            for h in retrieval.hits
            if isinstance(h.card, NetworkCard)
            and any(city in (p.place, p.name) for p in h.card.members)
        ]
        if not cards:
            continue
        lines = [
            f"{city} takes part in {len(cards)} URBACT network{'s' if len(cards) > 1 else ''} in this corpus:"
        ]
        for card in cards:
            role = (
                "lead partner"
                if card.lead_partner and city in (card.lead_partner.place, card.lead_partner.name)
                else "partner"
            )
            lines.append(
                f"- {card.name} ({card.type_label}; {network_status_text(card, today)}), as {role}: "
                f"{card.first_sentence} {cites.cite(card)}"
            )
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _nothing_found(retrieval: Retrieval) -> str:
    q = retrieval.query
    if q.kind == "city" or q.cities:
        return (
            f"I found no URBACT network with {', '.join(q.cities)} in the cards I know. "
            f"The city may take part under another name; for an official answer contact {CONTACT}."
        )
    if q.countries or q.status or q.type:
        return "No URBACT network in my cards matches all of these conditions."
    return (
        "I could not find anything about this in the URBACT network cards I know. "
        "I answer questions about URBACT networks, their cities and topics, and how cities can "
        f"join. For anything else, contact {CONTACT}."
    )
