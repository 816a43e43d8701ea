"""Coverage report of the corpus (pure functions): counts, and networks named but missing a card."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from urbact_assistant.core.models import FuzzyDate
from urbact_assistant.core.text import tokens
from urbact_assistant.knowledge.corpus import Corpus
from urbact_assistant.knowledge.countries import country_name

# "the SPARK network", "the Transfer Network ROOF", "ROOF (a Transfer Network)" ...
_NAMED = re.compile(
    r"(?<![\w:])((?:[A-Z0-9][\w@&!+'’:-]*)(?: (?:[A-Z0-9][\w@&!+'’:-]*)){0,4}) [Nn]etworks?\b"
)
_TYPE_WORDS = re.compile(
    r"^(?:URBACT(?: (?:I|II|III|IV))?\b ?)|(?: ?\b(?:Action|Planning|Transfer|Innovation|"
    r"Implementation|Thematic|Pilot|Second|Wave))+$"
)
_GENERIC = {"urbact", "the", "a", "an", "this", "each", "every", "one", "transfer", "action",
            "planning", "innovation", "implementation", "thematic", "pilot", "european",
            "national", "eu", "urbact iii", "urbact iv", "urbact ii", "uia", "city", "cities",
            "apn", "itn", "tn", "new", "second", "first", "wave", "lead", "good", "practice",
            "practices"}  # fmt: skip


@dataclass
class Stats:
    by_programme: Counter[str] = field(default_factory=Counter)
    by_type: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    by_country: Counter[str] = field(default_factory=Counter)
    by_theme: Counter[str] = field(default_factory=Counter)
    pages_by_kind: Counter[str] = field(default_factory=Counter)
    missing: dict[str, list[str]] = field(default_factory=dict)  # name -> cards mentioning it
    calls: list[tuple[str, int, int | None]] = field(default_factory=list)
    """Per call that approved networks: (title, cards linked to it, networks it approved)."""


def corpus_stats(corpus: Corpus, today: dt.date) -> Stats:
    """Counts by programme, type, status as of ``today``, partner country and theme."""
    stats = Stats()
    for card in corpus.networks:
        stats.by_programme[card.programme] += 1
        stats.by_type[card.type_label] += 1
        stats.by_status[card.status(today)] += 1
        stats.by_country.update(card.countries)
        stats.by_theme.update(card.themes)
    stats.pages_by_kind.update(p.kind for p in corpus.pages)
    stats.missing = missing_networks(corpus)
    for page in sorted(corpus.pages, key=lambda p: (p.opens or p.closes or FuzzyDate(1)).first):
        approved = page.facts.networks_approved if page.facts else None
        if page.kind == "call" and (page.approved or approved):
            stats.calls.append((page.title, len(page.approved), approved))
    return stats


def missing_networks(corpus: Corpus) -> dict[str, list[str]]:
    """Names written as "<Name> network" in some card whose network has no card of its own."""
    known = set()
    for network in corpus.networks:
        for name in (network.name, *network.aliases):
            known.add(" ".join(tokens(name)))
            known.update(
                " ".join(tokens(part)) for part in re.split(r"[()–-]", name) if part.strip()
            )
    # Capitalised everyday words ("Successful network") are written in lower case elsewhere.
    lower = {w for c in corpus.cards for w in re.findall(r"\b[a-z][\w-]*", c.body)}
    missing: dict[str, list[str]] = {}
    for card in corpus.cards:
        for match in _NAMED.finditer(card.body):
            name = match.group(1)
            while (stripped := _TYPE_WORDS.sub("", name).strip()) != name:
                name = stripped
            name = re.sub(r"^(?:The|These|All|Each|Every|\d+)\s+", "", name)
            name = name.rstrip(":")
            if " " not in name and (name.lower() in lower or re.search(r"-[a-z]", name)):
                continue
            key = " ".join(tokens(name))
            if (
                not key
                or key in known
                or key in _GENERIC
                or all(t in _GENERIC for t in key.split())
            ):
                continue
            if len(key) < 3 or name.isdigit():
                continue
            missing.setdefault(name, [])
            if card.slug not in missing[name]:
                missing[name].append(card.slug)
    return dict(sorted(missing.items()))


def format_stats(stats: Stats, today: dt.date, top: int = 15) -> str:
    """Markdown tables, ready for the README."""

    def table(
        title: str, counter: Counter[str], label=lambda k: k, limit: int | None = None
    ) -> list[str]:
        rows = counter.most_common(limit)
        out = [f"| {title} | networks |", "| --- | ---: |"]
        out += [f"| {label(k)} | {v} |" for k, v in rows]
        if limit and len(counter) > limit:
            out.append(f"| … {len(counter) - limit} more | |")
        return out + [""]

    total = sum(stats.by_programme.values())
    lines = [
        f"{total} network cards, {sum(stats.pages_by_kind.values())} programme pages; status as of {today.isoformat()}.",
        "",
    ]
    lines += table("programme", stats.by_programme)
    lines += table("type", stats.by_type)
    lines += table("status", stats.by_status)
    lines += table("partner country", stats.by_country, lambda c: f"{country_name(c)} ({c})", top)
    lines += table("theme", stats.by_theme, limit=top)
    if stats.calls:
        lines += ["| call | network cards / networks approved |", "| --- | ---: |"]
        lines += [
            f"| {t} | {n}/{total if total is not None else '?'} |" for t, n, total in stats.calls
        ]
        lines.append("")
    lines += ["| programme page kind | pages |", "| --- | ---: |"]
    lines += [f"| {k} | {v} |" for k, v in stats.pages_by_kind.most_common()] + [""]
    if stats.missing:
        lines.append("Networks named in the cards without a card of their own:")
        lines += [f"- {name} (in {', '.join(slugs)})" for name, slugs in stats.missing.items()]
    else:
        lines.append("Every network named in the cards has a card.")
    return "\n".join(lines)
