"""Check and repair an LLM answer's citations (pure functions).

Every ``[n]`` must point to a card given to the model; invalid markers are removed, the cited
cards are renumbered in order of first use, and links other than the cards' sources (and the
official contact page) are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from urbact_assistant.core.models import AnyCard, Citation

MARKER = re.compile(r"\[(\d{1,3})\]")
URL = re.compile(r"https?://[^\s)\]>\"'<]+")


@dataclass(frozen=True)
class Checked:
    text: str
    citations: list[Citation]
    removed_markers: int
    removed_links: int


def verify(text: str, cards: list[AnyCard], allowed_links: tuple[str, ...] = ()) -> Checked:
    """Keep valid markers (renumbered by first use), drop the rest; keep only allowed links."""
    numbering: dict[int, int] = {}
    removed = 0

    def renumber(match: re.Match[str]) -> str:
        nonlocal removed
        n = int(match.group(1))
        if not 1 <= n <= len(cards):
            removed += 1
            return ""
        numbering.setdefault(n, len(numbering) + 1)
        return f"[{numbering[n]}]"

    text = MARKER.sub(renumber, text)
    allowed = {u.rstrip("/.") for c in cards for u in c.sources} | {
        u.rstrip("/.") for u in allowed_links
    }
    links_removed = 0

    def keep_link(match: re.Match[str]) -> str:
        nonlocal links_removed
        url = match.group(0).rstrip(".,;:")
        tail = match.group(0)[len(url) :]
        if url.rstrip("/.") in allowed:
            return match.group(0)
        links_removed += 1
        return tail

    text = URL.sub(keep_link, text)
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()
    citations = [
        Citation(new, cards[old - 1].slug, cards[old - 1].title, cards[old - 1].url)
        for old, new in sorted(numbering.items(), key=lambda kv: kv[1])
    ]
    return Checked(text, citations, removed, links_removed)


def reveals(text: str, secret: str, window: int = 60) -> bool:
    """Whether ``text`` repeats any ``window``-character stretch of ``secret`` (whitespace-folded)."""
    flat_text = " ".join(text.split()).casefold()
    flat_secret = " ".join(secret.split()).casefold()
    step = window // 2
    return any(
        flat_secret[i : i + window] in flat_text
        for i in range(0, max(1, len(flat_secret) - window), step)
    )
