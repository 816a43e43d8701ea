"""Check and repair an LLM answer's citations (pure functions).

Every ``[n]`` must point to a card given to the model; invalid markers are removed, the cited
cards are renumbered in order of first use, and links other than the cards' sources (and the
official contact page) are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from urbact_assistant.core.models import AnyCard, Citation, ProgrammePage

MARKER = re.compile(r"\[(\d{1,3})\]")
URL = re.compile(r"https?://[^\s)\]>\"'<]+")
# What Telegram would turn into a link or a contact, besides http(s) URLs: addresses without a
# scheme ("evil.example/phish", "www.x.com", "t.me/bot"), e-mail addresses, @handles, phone
# numbers and IBANs. Only the cards' sources and the contact page may be linked.
BARE_ADDRESS = re.compile(
    r"(?<![\w@/.-])(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:[a-z]{2,24})(?:/[^\s)\]>\"'<]*)?(?![\w@])",
    re.IGNORECASE,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")
PHONE = re.compile(r"(?<![\w+])\+?\d(?:[\s().-]?\d){8,14}(?!\d)")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")
TLDS = frozenset(
    "com org net eu io me info biz app dev xyz site online top ru cn uk de fr it es pl pt nl be "
    "at ch se dk fi no ie gr hr ro bg hu cz sk si lt lv ee lu mt cy ua co ly gl to ws cc tv".split()
)


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
    text, others = _strip_contacts(text, allowed, cards)
    links_removed += others
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()
    citations = [
        Citation(new, cards[old - 1].slug, cards[old - 1].title, cards[old - 1].url)
        for old, new in sorted(numbering.items(), key=lambda kv: kv[1])
    ]
    return Checked(text, citations, removed, links_removed)


def _strip_contacts(text: str, allowed: set[str], cards: list[AnyCard]) -> tuple[str, int]:
    """Remove addresses without a scheme, e-mails, handles, phone numbers and IBANs, except the
    allowed links' hosts, the cited pages' own e-mail addresses and the cards' own names
    ("S.M.ALL" is a network, not a host)."""
    from urllib.parse import urlsplit

    hosts = {urlsplit(u if "//" in u else f"https://{u}").hostname or "" for u in allowed}
    names = [c.title.casefold() for c in cards]
    removed = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal removed
        removed += 1
        return ""

    def bare(match: re.Match[str]) -> str:
        address = match.group(0)
        host = address.split("/")[0].casefold().removeprefix("www.")
        labels = host.split(".")
        looks_like_host = (
            "/" in address
            or address.casefold().startswith("www.")
            or (labels[-1] in TLDS and len(labels[0]) >= 2)
            or all(len(label) >= 2 for label in labels)
        )
        if not looks_like_host or any(host in n for n in names):
            return address  # "e.g", "S.M.ALL", "U.R.": abbreviations and names, not hosts
        if host in hosts or f"www.{host}" in hosts:
            return address
        return drop(match)

    emails = {  # a National URBACT Point's own address, from its cited page's facts
        c.facts.email.casefold()
        for c in cards
        if isinstance(c, ProgrammePage) and c.facts and c.facts.email
    }
    text = EMAIL.sub(lambda m: m.group(0) if m.group(0).casefold() in emails else drop(m), text)
    text = BARE_ADDRESS.sub(bare, text)
    for pattern in (IBAN, HANDLE, PHONE):
        text = pattern.sub(drop, text)
    return re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text), removed


# An answer that talks about its own rules (in its words, not the prompt's) is a leak too.
_OWN_RULES = re.compile(
    r"\b(?:system ?prompt|(?:my|these|hidden) (?:rules|instructions)|i (?:was|am|have been) "
    r"(?:instructed|told to)|cards block|mes (?:instructions|consignes|règles)|"
    r"meine (?:anweisungen|regeln|vorgaben)|le mie (?:istruzioni|regole)|"
    r"mis (?:instrucciones|reglas)|as minhas (?:instruções|regras)|minhas (?:instruções|regras)|"
    r"moje (?:instrukcje|zasady)|mijn (?:instructies|regels))\b|</?(?:cards|question)>",
    re.IGNORECASE,
)


def talks_about_its_rules(text: str) -> bool:
    """Whether an answer discusses its instructions ("my rules say I must cite the cards"),
    which a paraphrased system-prompt leak does even when it repeats none of its words."""
    return bool(_OWN_RULES.search(text))


def reveals(text: str, secret: str, window: int = 60) -> bool:
    """Whether ``text`` repeats any ``window``-character stretch of ``secret`` (whitespace-folded)."""
    flat_text = " ".join(text.split()).casefold()
    flat_secret = " ".join(secret.split()).casefold()
    step = window // 2
    return any(
        flat_secret[i : i + window] in flat_text
        for i in range(0, max(1, len(flat_secret) - window), step)
    )
