"""Small pure helpers of answer wording shared by the composer's parts: plain text from the
cards' Markdown, the language's yes or no, excerpts."""

from __future__ import annotations

import re

from urbact_assistant.core import phrases as ph
from urbact_assistant.core.models import AnyCard, Citation

CONTACT_URL = "https://urbact.eu/how-find-us"


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


def yes_no(lang: str, yes: bool) -> str:
    """The language's own "Yes." or "No." that opens the answer to a yes/no question."""
    return ph.say(lang, "answer_yes" if yes else "answer_no")


def no_empty_brackets(text: str) -> str:
    """A narrowing by topic has no filter to echo: "match ():" → "match:"."""
    return re.sub(r"\s*\(\s*\)", "", text)


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def excerpt(body: str, limit: int) -> str:
    """The body's first sentences up to ``limit`` characters, as plain text."""
    from urbact_assistant.knowledge.passages import sentences

    out = ""
    for sentence in sentences(plain(body)):
        if len(out) + len(sentence) + 1 > limit:
            break
        out = f"{out} {sentence}".strip()
    return out or plain(body)[:limit].rsplit(" ", 1)[0] + "…"


def plain(text: str) -> str:
    """Markdown emphasis and list markers removed: answers are plain text."""
    text = re.sub(r"(?m)^\s*(?:#+\s.*|\*\*[^*\n]+\*\*[.:]?)\s*$", "", text)  # headings
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?!\w)", r"\1", text)
    text = re.sub(r"(?m)^\s*(?:[-*]|\d+\.)\s+", "", text)
    text = re.sub(r"(?m)^\s*\|.*\|\s*$", "", text)  # Markdown tables
    return re.sub(r"\[([^\]]+)\]\((https?://[^)]+)\)", r"\1", text)
