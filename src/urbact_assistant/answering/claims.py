"""Check what an LLM answer states about the networks it cites against their cards (pure).

A sentence with citation markers ``[n]`` is checked against the network cards it cites (a
sentence without one is covered by the next marker in its paragraph, else the previous one).
Four kinds of statement are read, in the answer's language:

- *lead partner*: a place the corpus knows, named next to a word for leading ("Paris leads
  Remote-IT", "led by Paris", "Paris est chef de file", "von Paris geleitet"), that leads none
  of the cited networks;
- *partners*: a known place named next to a word for partner or member that is a member of
  none of the cited networks (networks whose partner list is incomplete are not judged);
- *period*: a year next to a word of time ("until 2030", "from 2019 to 2022", "2023–2025") in a
  clause about a cited network, outside its years (start − 1 … end + 1);
- *status*: a status word right after a cited network's name or a word for network ("is
  ongoing", "ist beendet", "est terminé") that differs from its status as of today.

Precision comes first, since a false alarm costs a good answer: a clause with a negation, an
exception or an "if" is never flagged, nor is a question; a place counts only when it stands
next to the cue word with only function words between. The cue words are in the ``claims``
section of ``data/languages/<lang>.yaml`` (the main languages; answers in other languages are
not checked) and the status words also come from the UI texts (``status.*``). Places are the
corpus's entity table (``Entities.cities``, with exonyms), names compared after folding.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property

from urbact_assistant.core.models import AnyCard, NetworkCard, Party
from urbact_assistant.core.phrases import status_word
from urbact_assistant.core.text import tokens
from urbact_assistant.understanding.lexicon import (
    language_files,
    load_data,
    network_words,
)
from urbact_assistant.understanding.questions import Entities

CLAIM_KINDS = (
    "lead", "lead_verb", "not_lead", "member", "links", "negation", "past", "period",
    "ongoing", "ended", "upcoming",
)  # fmt: skip
STATUSES = ("ongoing", "ended", "upcoming")
MARKER = re.compile(r"\[(\d{1,3})\]")
# A sentence ends at . ! ? (with the markers right after it) before a space, or at a line
# break; not before a word in lower case ("Come In! is ongoing", "e.g. Paris").
SENTENCE_END = re.compile(r"[.!?](?:\s*\[\d{1,3}\])*(?=\s|$)|\n")
NEXT_WORD = re.compile(r"\s*(\S)")
YEAR = re.compile(r"(?:19|20)\d\d")
WORD = re.compile(r"\w+")
FIRST_GAP = 3  # link words allowed between a cue and the first place it speaks of
NEXT_GAP = 2  # and between the places of a list ("Tartu (EE), Murcia and Paris")
MAX_LEADS = 2  # more places "next to" a word for lead are a list of partners, not leads
YEAR_GAP = 2  # words between a word of time and its year ("until December 2030")
RANGE_GAP = 3  # words between the two years of a range ("June 2023 to December 2025")
SUBJECT_GAP = 3  # link words between a network's name and its status ("is still")
WINDOW = 10  # words around a statement in which to look for the network it is about


@dataclass(frozen=True)
class Contradiction:
    """One statement of the answer that the cited cards contradict."""

    kind: str  # lead, partner, period, status
    networks: tuple[str, ...]  # the names of the networks it is about
    stated: str
    actual: str
    sentence: str

    def reason(self) -> str:
        """In plain words, for developers (logs and the answer's note)."""
        names = " / ".join(self.networks)
        if self.kind == "lead":
            return f"it names {self.stated} as lead partner of {names}; the card says {self.actual}"
        if self.kind == "partner":
            return f"it names {self.stated} as a partner of {names}; the card does not"
        if self.kind == "period":
            return f"it dates {names} to {self.stated}; the card says {self.actual}"
        return f'it says {names} is "{self.stated}"; by the card\'s dates it is {self.actual} today'


@dataclass(frozen=True)
class Cues:
    """One language's cue words (with English's), each kind one regular expression over a
    folded phrase, and the link words that may stand between a cue and a place."""

    patterns: dict[str, re.Pattern[str]]
    links: frozenset[str]

    def spans(self, kind: str, text: str, starts: list[int]) -> list[tuple[int, int]]:
        """Token spans ``[start, end)`` where a cue of ``kind`` matches ``text``."""
        out = []
        for match in self.patterns[kind].finditer(text):
            first = bisect.bisect_left(starts, match.start())
            last = bisect.bisect_left(starts, match.end())
            out.append((first, last))
        return out


@cache
def cues_for(language: str) -> Cues | None:
    """The cue words for answers in ``language`` (None when it has no ``claims`` section)."""
    files = language_files()
    own = (files.get(language) or {}).get("claims")
    if not isinstance(own, dict):
        return None
    codes = dict.fromkeys((language, "en"))
    sections = [(files.get(code) or {}).get("claims") or {} for code in codes]
    patterns = {}
    for kind in CLAIM_KINDS:
        # English cues also apply (answers quote "lead partner"), but not its small words for
        # "not" and "past": Portuguese "no" is "in the", Italian "has" no meaning at all.
        own_only = kind in ("negation", "past", "links") and language != "en"
        terms = [
            t for section in sections[: 1 if own_only else None] for t in section.get(kind) or ()
        ]
        if kind in STATUSES:
            terms += [status_word(kind, code) for code in codes]
        patterns[kind] = _pattern(terms)
    links = {w for t in sections[0].get("links") or () for w in tokens(t)}
    cities = {
        w
        for code in codes
        for t in ((files.get(code) or {}).get("words") or {}).get("city") or ()
        for w in tokens(t)
    }
    return Cues(patterns, frozenset(links | cities | network_words()))


def _pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """Stems matched at the start of a word; the last word runs to its end unless the term
    ends with a space ("lead " is the word "lead", "partner" also "partners")."""
    folded = {" ".join(tokens(str(t))) + (" " if str(t).endswith(" ") else "") for t in terms}
    alternatives = sorted(
        (re.escape(f.strip()) + (r"(?![a-z0-9])" if f.endswith(" ") else r"[a-z0-9]*")
         for f in folded if f.strip()),
        key=len,
        reverse=True,
    )  # fmt: skip
    return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(alternatives) or '(?!)'})")


class Places:
    """The corpus's places and network names, indexed by first word, built once from the
    entity tables; names are compared through their exonyms' canonical spelling."""

    def __init__(self, entities: Entities):
        self.entities = entities
        self.city_keys = _by_first(entities.cities)
        self.network_keys = _by_first(entities.networks)
        self.canonical: dict[str, str] = {}
        for name, variants in load_data("exonyms").items():
            keys = [k for n in (name, *variants) if (k := " ".join(tokens(str(n))))]
            for key in keys:
                self.canonical[key] = keys[0]
        self.countries = entities.lexicon.countries

    def names(self, key: str) -> frozenset[str]:
        """Canonical folded names a place key stands for (its own and its city's)."""
        city = self.entities.city_names.get(key)
        keys = {key, " ".join(tokens(city))} if city else {key}
        return frozenset(self.canonical.get(k, k) for k in keys)

    def is_party(self, key: str, party: Party) -> bool:
        """Whether the place ``key`` is ``party`` (its name or city), also where one name
        holds the other ("Brussels" and "Brussels-Capital Region", "Satu Mare" and the
        "Satu Mare County Intercommunity Development Association")."""
        theirs = {" ".join(tokens(party.place)), " ".join(tokens(party.name))}
        theirs = {self.canonical.get(k, k) for k in theirs}
        return any(
            _within(mine, other) or _within(other, mine)
            for mine in self.names(key)
            for other in theirs
        )


def _within(short: str, long: str) -> bool:
    return f" {short} " in f" {long} "


def _by_first(table: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for key in table:
        words = tuple(key.split())
        if words:
            index.setdefault(words[0], []).append(words)
    for keys in index.values():
        keys.sort(key=len, reverse=True)
    return index


@dataclass
class Clause:
    """A clause's folded tokens and what was found in them."""

    toks: list[str]
    caps: list[bool]  # written with a capital (names are)
    codes: set[int]  # two capitals: a country code ("Tartu (EE)")
    commas: set[int]  # tokens a comma follows
    text: str
    starts: list[int]
    networks: dict[int, tuple[int, str]] = field(default_factory=dict)  # start -> (end, slug)
    places: dict[int, tuple[int, str]] = field(default_factory=dict)  # start -> (end, key)

    @cached_property
    def network_ends(self) -> dict[int, tuple[int, str]]:  # last token -> (start, slug)
        return {end - 1: (start, slug) for start, (end, slug) in self.networks.items()}

    @cached_property
    def place_ends(self) -> dict[int, tuple[int, str]]:
        return {end - 1: (start, key) for start, (end, key) in self.places.items()}


Spans = dict[str, list[tuple[int, int]]]
Found = list[tuple[str, list[NetworkCard], str, str]]


class ClaimChecker:
    """Checks an answer's sentences against the cards it was given (numbered from 1)."""

    def __init__(
        self,
        cards: Sequence[AnyCard],
        today: dt.date,
        language: str,
        places: Places | None = None,
    ):
        self.cards = list(cards)
        self.today = today
        self.cues = cues_for(language)
        self.places = places
        known = places.entities.networks if places else {}
        own = {
            key: card.slug
            for card in self.cards
            if isinstance(card, NetworkCard)
            for name in (card.title, *card.aliases)
            if (key := " ".join(tokens(name))) not in known
        }  # the cards' own names, should the entity tables lack them (a common word)
        self.slug_of = {**known, **own}
        if own or places is None:
            self.network_keys = _by_first(self.slug_of)
        else:
            self.network_keys = places.network_keys
        self._bodies: dict[str, str] = {}

    # -- the answer ------------------------------------------------------------
    def check(self, text: str) -> list[Contradiction]:
        """Every contradiction found in ``text`` (raw model output, markers as given)."""
        if self.cues is None:
            return []
        found: dict[tuple, Contradiction] = {}
        for sentence, numbers in cited_sentences(text):
            cited = [
                card
                for n in dict.fromkeys(numbers)
                if 1 <= n <= len(self.cards) and isinstance(card := self.cards[n - 1], NetworkCard)
            ]
            if not cited or MARKER.sub("", sentence).rstrip().endswith("?"):
                continue
            for clause in MARKER.sub(" ", sentence).split(";"):
                for kind, cards, stated, actual in self._clause(clause, cited):
                    names = tuple(c.title for c in cards)
                    key = (kind, names, stated)
                    found.setdefault(
                        key, Contradiction(kind, names, stated, actual, sentence.strip())
                    )
        return list(found.values())

    def _clause(self, raw: str, cited: list[NetworkCard]) -> Found:
        assert self.cues is not None
        clause = self._read(raw)
        if not clause.toks:
            return []
        spans = {
            kind: self.cues.spans(kind, clause.text, clause.starts)
            for kind in CLAIM_KINDS
            if kind != "links"
        }
        masked = _covered(s for kind in STATUSES for s in spans[kind])  # "not started yet"
        if any(any(i not in masked for i in range(a, b)) for a, b in spans["negation"]):
            return []  # "Tartu is not a partner", "ne ... pas", "außer Paris": never judged
        return (
            self._leads(clause, spans, cited)
            + self._members(clause, spans, cited)
            + self._period(clause, spans, cited)
            + self._status(clause, spans, cited)
        )

    def _read(self, raw: str) -> Clause:
        toks: list[str] = []
        caps: list[bool] = []
        codes: set[int] = set()
        commas: set[int] = set()
        words = list(WORD.finditer(raw))
        for n, match in enumerate(words):
            word = match.group(0)
            for tok in tokens(word):
                if len(word) == 2 and word.isupper():
                    codes.add(len(toks))
                toks.append(tok)
                caps.append(any(ch.isupper() for ch in word))  # "Tartu", "2Nite", "eTwin"
            following = raw[match.end() : words[n + 1].start() if n + 1 < len(words) else None]
            if "," in following and toks:
                commas.add(len(toks) - 1)
        starts, pos = [], 1
        for tok in toks:
            starts.append(pos)
            pos += len(tok) + 1
        clause = Clause(toks, caps, codes, commas, f" {' '.join(toks)} ", starts)
        # Names are written with a capital: "once", "small", "access" are words, not networks.
        clause.networks = self._names(clause, self.network_keys, lambda k: self.slug_of[k])
        if self.places is not None:
            assert self.cues is not None
            taken = _covered((a, b) for a, (b, _) in clause.networks.items())
            found = self._names(clause, self.places.city_keys, lambda k: k, taken)
            clause.places = {
                a: (b, key)
                for a, (b, key) in found.items()
                if not (b - a == 1 and key in self.cues.links)  # "Como" is also "as"
            }
        return clause

    @staticmethod
    def _names(clause: Clause, index, value, taken: set[int] | None = None):
        """The longest keys of ``index`` in the clause, left to right, without overlaps, each
        with a capital in one of its words."""
        toks, out, i = clause.toks, {}, 0
        while i < len(toks):
            for words in index.get(toks[i], ()) if not (taken and i in taken) else ():
                end = i + len(words)
                if (
                    tuple(toks[i:end]) == words
                    and any(clause.caps[i:end])
                    and not (taken and taken & set(range(i, end)))
                ):
                    out[i] = (end, value(" ".join(words)))
                    i = end
                    break
            else:
                i += 1
        return out

    # -- which network a statement is about ----------------------------------------
    def _network_word(self, clause: Clause, pos: int) -> bool:
        """Whether ``pos`` is a word for network after a link word ("the network", "ce réseau"),
        not part of a name ("the WHO Healthy Cities network") nor said of another network ("the
        first network")."""
        assert self.cues is not None
        if clause.toks[pos] not in network_words():
            return False
        before = pos - 1  # (after a name, the name says which network: "the BluAct network")
        return before < 0 or (
            clause.toks[before] in self.cues.links and (before == 0 or not clause.caps[before])
        )

    def _about(
        self, clause: Clause, pos: int, cited: list[NetworkCard], near: int = WINDOW, after=True
    ):
        """The cited networks the words at ``pos`` speak of: the nearest network name within
        ``near`` words (before first, then ``after``), or the cited ones for "the network";
        [] when there is no such word, None when the nearest is another network."""
        n = len(clause.toks)
        before = range(pos - 1, max(-1, pos - 1 - near), -1)
        following = range(pos + 1, min(n, pos + 1 + near)) if after else range(0)
        for direction, positions in ((-1, before), (1, following)):
            for p in positions:
                named = clause.network_ends.get(p) if direction < 0 else clause.networks.get(p)
                if named is not None:
                    return [c for c in cited if c.slug == named[1]] or None
                if self._network_word(clause, p):
                    return cited
        return []

    # -- places next to a cue --------------------------------------------------------
    def _chain(self, clause: Clause, pos: int, step: int, through: set[int]) -> list[str]:
        """The places listed from ``pos`` on in direction ``step``, with only link words (or
        tokens in ``through``) between the cue, the first place and the next ones; the way
        to the first place may not cross a comma ("as lead partner, Alba Iulia and ...")."""
        assert self.cues is not None
        found: list[str] = []
        gap = 0
        while 0 <= pos < len(clause.toks):
            boundary = pos - 1 if step > 0 else pos
            if not found and boundary in clause.commas:
                break
            place = clause.places.get(pos) if step > 0 else clause.place_ends.get(pos)
            if place is not None:
                found.append(place[1])
                pos = place[0] if step > 0 else place[0] - 1
                gap = 0
                continue
            named = clause.networks.get(pos) if step > 0 else clause.network_ends.get(pos)
            if named is not None:
                pos = named[0] if step > 0 else named[0] - 1
            elif (
                clause.toks[pos] in self.cues.links
                or pos in clause.codes
                or pos in through
                or (self.places is not None and clause.toks[pos] in self.places.countries)
            ):
                pos += step
            else:
                break
            gap += 1
            if gap > (NEXT_GAP if found else FIRST_GAP):
                break
        return found

    def _groups(self, clause: Clause, cues: list[tuple[int, int]], cited, both: bool = True):
        """For each cue: the networks it is about and the places named next to it."""
        through = _covered(cues)
        for a, b in cues:
            cards = self._about(clause, a, cited)
            if cards is None:
                continue  # "..., the other is SPARK, led by Kavala": another network's lead
            group = self._chain(clause, a - 1, -1, through)
            if both:
                group += self._chain(clause, b, 1, through)
            if group:
                yield cards or cited, group

    def _leads(self, clause: Clause, spans: Spans, cited: list[NetworkCard]) -> Found:
        places = self.places
        if not clause.places or places is None:
            return []
        excluded = _covered(spans["not_lead"])
        cues = [s for s in spans["lead"] if not excluded & set(range(*s))]
        passive = _covered(cues)
        verbs = [  # "Paris leads Remote-IT", not "Paris leads a working group"
            s
            for s in spans["lead_verb"]
            if not (excluded | passive) & set(range(*s))
            and any(
                p in clause.networks or self._network_word(clause, p)
                for p in range(s[1], min(s[1] + 3, len(clause.toks)))
            )
        ]
        out: Found = []
        groups = [*self._groups(clause, cues, cited), *self._groups(clause, verbs, cited, False)]
        for cards, group in groups:
            if len(set(group)) > MAX_LEADS:
                continue
            if not any(
                card.lead_partner is None
                or any(places.is_party(key, card.lead_partner) for key in group)
                for card in cards
            ):
                actual = " / ".join(c.lead_partner.place for c in cards if c.lead_partner)
                out.append(("lead", cards, _display(group, places), actual))
        return out

    def _members(self, clause: Clause, spans: Spans, cited: list[NetworkCard]) -> Found:
        places = self.places
        if not clause.places or places is None:
            return []
        leading = _covered(spans["lead"])
        cues = [s for s in spans["member"] if not leading & set(range(*s))]
        out: Found = []
        for cards, group in self._groups(clause, cues, cited):
            if any(c.partners_unknown or c.partners_incomplete for c in cards):
                continue  # a place missing from an incomplete list may still be a partner
            strangers = [
                key
                for key in group
                if not any(places.is_party(key, p) for c in cards for p in c.members)
                and not self._in_country(key, cards)
                and not any(
                    _within(n, self._body(c)) for n in {key, *places.names(key)} for c in cards
                )
            ]  # a place the card's own text names ("lighthouse cities took part") is left alone
            if strangers:
                out.append(("partner", cards, _display(strangers, places), ""))
        return out

    def _in_country(self, key: str, cards: list[NetworkCard]) -> bool:
        """A place that is also a country's name ("Granada", "Luxembourg") stands for it."""
        assert self.places is not None
        code = self.places.countries.get(key)
        return code is not None and any(code in c.countries for c in cards)

    def _body(self, card: NetworkCard) -> str:
        if card.slug not in self._bodies:
            self._bodies[card.slug] = " ".join(tokens(card.body))
        return self._bodies[card.slug]

    # -- dates and status ------------------------------------------------------------
    def _period(self, clause: Clause, spans: Spans, cited: list[NetworkCard]) -> Found:
        years = [i for i, t in enumerate(clause.toks) if YEAR.fullmatch(t)]
        if not years:
            return []
        ends = {b for _, b in spans["period"]}

        def cue(i: int) -> bool:  # "until (December) 2030", "lief von ... seit 2019"
            return any(e in ends for e in range(max(0, i - YEAR_GAP), i + 1))

        out: Found = []
        for i in years:
            pair = [j for j in years if j != i and abs(j - i) <= RANGE_GAP]
            if cue(i) or any(cue(j) for j in pair):
                cards = self._about(clause, i, cited)
            elif pair:  # "Remote-IT (2023–2025)": a range right after the network's name
                cards = self._about(clause, min(i, *pair), cited, SUBJECT_GAP, after=False)
            else:
                continue
            if not cards:
                continue
            year = int(clause.toks[i])
            bounds = [_years(c) for c in cards]
            if all(b is not None and not b[0] <= year <= b[1] for b in bounds):
                out.append(("period", cards, str(year), " / ".join(c.period() for c in cards)))
        return out

    def _status(self, clause: Clause, spans: Spans, cited: list[NetworkCard]) -> Found:
        past = _covered(spans["past"])
        out: Found = []
        for status in STATUSES:
            for a, b in spans[status]:
                cards = self._subject(clause, a, b, cited, past)
                if not cards:
                    continue
                actual = {c.status(self.today) for c in cards}
                if "unknown" in actual or status in actual:
                    continue
                wording = " ".join(clause.toks[a:b])
                out.append(("status", cards, wording, " / ".join(sorted(actual))))
        return out

    def _subject(self, clause: Clause, a: int, b: int, cited, past: set[int]):
        """The cited networks a status word at ``[a, b)`` is said of: a network's name or
        "the network" just before it ("Remote-IT is still ongoing") or right after it ("an
        ongoing network"); None when said of something else or of the past ("was ongoing")."""
        assert self.cues is not None
        pos, gap = a - 1, 0
        while pos >= 0 and gap <= SUBJECT_GAP:
            if pos in clause.network_ends:
                return [c for c in cited if c.slug == clause.network_ends[pos][1]] or None
            if self._network_word(clause, pos):
                return cited
            if pos in past:
                return None  # what it was, not what it is
            if clause.toks[pos] not in self.cues.links:
                break
            pos, gap = pos - 1, gap + 1
        if b in clause.networks:
            return [c for c in cited if c.slug == clause.networks[b][1]] or None
        if b < len(clause.toks) and clause.toks[b] in network_words():
            return cited
        return None


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """The sentences of ``text`` with the marker numbers that cover them: their own, else the
    next marked sentence's in the same paragraph, else the previous one's."""
    out: list[tuple[str, list[int]]] = []
    for paragraph in text.split("\n"):
        parts, start = [], 0
        for end in _sentence_ends(paragraph):
            parts.append(paragraph[start:end])
            start = end
        parts.append(paragraph[start:])
        parts = [p for p in parts if p.strip()]
        own = [[int(n) for n in MARKER.findall(p)] for p in parts]
        for i, part in enumerate(parts):
            following = next((o for o in own[i + 1 :] if o), [])
            out.append((part, own[i] or following or next((o for o in own[i::-1] if o), [])))
    return out


def complete_upto(text: str, start: int = 0) -> int:
    """Where the last complete sentence of ``text`` that carries a marker ends: complete when
    another sentence has begun after it, so that a draft never shows a sentence whose markers
    may still come. ``start`` when there is none after it."""
    best, begun = start, 0
    for end in _sentence_ends(text):
        following = NEXT_WORD.match(text, end)
        begun_next = following is not None and following.group(1) != "["
        if end > best and begun_next and MARKER.search(text, begun, end):
            best = end
        begun = end
    return best


def _sentence_ends(text: str) -> Iterable[int]:
    for match in SENTENCE_END.finditer(text):
        following = NEXT_WORD.match(text, match.end())
        if match.group(0) == "\n" or not (following and following.group(1).islower()):
            yield match.end()


def _covered(spans: Iterable[tuple[int, int]]) -> set[int]:
    return {i for a, b in spans for i in range(a, b)}


def _years(card: NetworkCard) -> tuple[int, int] | None:
    """The years a statement may give a network's period (one either side, for the call and
    the closing), None when the card has no dates."""
    if card.start is None and card.end is None:
        return None
    low = card.start.year - 1 if card.start else 0
    high = card.end.year + 1 if card.end else 9999
    return low, high


def _display(keys: Sequence[str], places: Places) -> str:
    return ", ".join(dict.fromkeys(places.entities.city_names.get(k, k) for k in keys))
