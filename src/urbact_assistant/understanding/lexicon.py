"""The language tables questions are read with, all built from data without an LLM.

Every language has a file ``data/languages/<code>.yaml``: words for network, city and "in",
stems of question kinds and filters, names of network types, nationality adjectives and terms
of the thesaurus's concepts (``data/thesaurus.yaml``: their kind and English terms). The files of
the eight main languages (EN, FR, DE, IT, ES, PL, PT, NL) say ``always: true``: their tables are
pooled and apply to every question, with the nationality adjectives of ``data/demonyms.yaml``.
Any other file applies to a question only when the question is written in that language
(``Lexicon.languages_of``). Country names come from pycountry in 27 languages. Matching works on
accent-, case- and script-folded text. The main languages' files also have a ``claims`` section:
the words ``answering.claims`` reads an LLM's answers with (not used for questions).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from urbact_assistant.core.text import tokens
from urbact_assistant.knowledge.countries import EUROPE

# Kinds of stems in a language file ("ambiguous_ongoing": "ongoing" words that are also topic
# words, "active", a status only next to a word for network) and the network types.
STEM_KINDS = (
    "join_strong", "join_how", "join_weak", "participation", "member", "ongoing", "ended", "upcoming", "call",
    "eligibility", "injection", "other_programmes", "off_topic", "led_by", "ambiguous_ongoing",
    "ambiguous_ended", "ambiguous_upcoming",
    "ask_lead", "ask_partners", "ask_count", "ask_when", "ask_budget", "ask_open", "personal",
    "ask_status", "pick_1", "pick_2", "pick_3", "pick_last", "of_those", "greeting", "thanks",
    "ask_which", "other", "near", "edition", "me", "me_asking", "in_it", "pick_newest",
    "pick_oldest", "outside_eu", "ask_proposals", "ask_exists", "ask_about",
)  # fmt: skip
FOLLOW_UP_KINDS = (
    "pick_1", "pick_2", "pick_3", "pick_last", "of_those", "other", "edition", "in_it",
    "pick_newest", "pick_oldest",
)  # fmt: skip
# Stems whose words are never topic words: taking part, joining, status, "led by".
NOT_TOPIC_KINDS = (
    "participation", "join_strong", "join_how", "ongoing", "ended", "upcoming", "led_by",
)  # fmt: skip
# Words about the asker: where they are ("near Cork") and that they ask for themself.
ASKER_KINDS = ("near", "me", "me_asking")
ASK_KINDS = (
    "ask_lead", "ask_partners", "ask_count", "ask_when", "ask_budget", "ask_open", "ask_status",
    "ask_which", "ask_proposals", "ask_about",
)  # fmt: skip
# Programme concepts whose words ("whom do I contact", "where do I apply") an errand also has
CONTACT_CONCEPTS = frozenset({"how-to-join", "national-urbact-point", "secretariat-contact"})
# Programme concepts whose words also speak of a city's own work (a tender, a budget)
WEAK_PROGRAMME = frozenset(
    {"call-for-proposals", "co-financing-budget", "eligibility", "how-to-join"}
)
TYPE_KINDS = (
    "innovation-transfer", "action-planning", "transfer", "action", "implementation", "pilot",
    "thematic",
)  # fmt: skip


@cache
def load_data(name: str) -> dict:
    """A YAML file from the package's ``data`` folder (empty when absent)."""
    from importlib.resources import files

    import yaml

    resource = files("urbact_assistant").joinpath("data", f"{name}.yaml")
    if not resource.is_file():
        return {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster
    return yaml.load(resource.read_text(encoding="utf-8"), Loader=loader) or {}


@dataclass(frozen=True)
class Concept:
    id: str
    kind: str
    english: tuple[str, ...]


class Stems:
    """Word stems, each matched at the start of a word of a folded phrase ("candidat" matches
    "candidature"; "how can my city" matches as a phrase). A stem written with a trailing space
    must end a word (" appel " is not "appeler"). One regular expression, compiled on first use."""

    def __init__(self, stems: Iterable[str]):
        self.stems = tuple(dict.fromkeys(s for s in stems if s.strip()))
        self._pattern: re.Pattern[str] | None = None

    def __getstate__(self) -> tuple[str, ...]:
        return self.stems  # not the compiled pattern: a snapshot stays small and fast to load

    def __setstate__(self, state: tuple[str, ...]) -> None:
        self.stems, self._pattern = state, None

    def search(self, text: str) -> bool:
        return self.position(text) is not None

    def position(self, text: str) -> int | None:
        """Where the first stem occurs in ``text``, or None."""
        if self._pattern is None:
            alternatives = sorted(
                (
                    re.escape(s.strip()) + (r"(?![a-z0-9])" if s.endswith(" ") else "")
                    for s in self.stems
                ),
                key=len,
                reverse=True,
            )
            self._pattern = re.compile(rf"(?<![a-z0-9])(?:{'|'.join(alternatives) or '(?!)'})")
        found = self._pattern.search(text)
        return found.start() if found else None


class StemGroup:
    """Several ``Stems`` searched as one (the main languages' and a question's other ones)."""

    def __init__(self, parts: Iterable[Stems]):
        self.parts = tuple(parts)

    def search(self, text: str) -> bool:
        return any(part.search(text) for part in self.parts)

    def position(self, text: str) -> int | None:
        found = [p for part in self.parts if (p := part.position(text)) is not None]
        return min(found, default=None)

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(s for part in self.parts for s in part.stems)


STOP_WORD_LISTS = {
    "en": "english", "fr": "french", "de": "german", "it": "italian", "es": "spanish",
    "pl": "polish", "pt": "portuguese", "nl": "dutch", "cs": "czech", "sk": "slovak",
    "hu": "hungarian", "ro": "romanian", "bg": "bulgarian", "el": "greek", "sv": "swedish",
    "da": "danish", "fi": "finnish", "uk": "ukrainian", "tr": "turkish",
}  # fmt: skip
# (words, concept, language): the language is None for terms that apply to every question.
Thesaurus = dict[str, list[tuple[tuple[str, ...], "Concept", str | None]]]


@dataclass
class Language:
    """One ``data/languages/<code>.yaml`` file, or the main languages' files pooled. The stems
    of another language apply to a question only when the question shows more words of that
    language than of any main language, so that a Swedish "dikt" (poem) does not make a Greek
    "δίκτυα" (networks) question off-topic."""

    code: str
    evidence: frozenset[str]  # its stop words and words for network, city, "in"
    evidence_stems: dict[str, tuple[str, ...]]  # first words of its stems and terms, by 3 letters
    stems: dict[str, Stems]
    types: dict[str, Stems]
    demonyms: tuple[tuple[str, str], ...]
    words: dict[str, frozenset[str]]
    stop_words: frozenset[str]

    @classmethod
    def from_data(cls, code: str, data: dict) -> Language:
        words = {
            k: frozenset(_folded((data.get("words") or {}).get(k)))
            for k in ("network", "city", "in")
        }
        stems = {k: _folded(v) for k, v in (data.get("stems") or {}).items()}
        types = {k: _folded(v) for k, v in (data.get("types") or {}).items()}
        # Taking part and the word for "network" are participation words in any language.
        stems["participation"] = [
            *stems.get("participation", ()),
            *stems.get("join_weak", ()),
            *words["network"],
        ]
        for status in ("ongoing", "ended", "upcoming"):  # not also topics ("active", "future")
            if status in stems:
                ambiguous = set(stems.get(f"ambiguous_{status}", ()))
                stems[f"clear_{status}"] = [s for s in stems[status] if s not in ambiguous]
        demonyms = tuple(
            (stem, code_)
            for code_, values in (data.get("demonyms") or {}).items()
            for stem in _folded(values)
            if len(stem) >= 3
        )
        terms = [t for values in (*stems.values(), *types.values()) for t in values]
        terms += [t for values in (data.get("concepts") or {}).values() for t in _folded(values)]
        stop = stop_words_of(code)
        return cls(
            code=code,
            evidence=stop | words["network"] | words["city"],
            evidence_stems=_by_prefix(t.split()[0] for t in terms if len(t.split()[0]) >= 4),
            stems={k: Stems(v) for k, v in stems.items()},
            types={k: Stems(v) for k, v in types.items()},
            demonyms=demonyms,
            words=words,
            stop_words=stop,
        )

    def score(self, words: list[str], common: frozenset[str]) -> int:
        """How many of the question's words are this language's (and not a main language's)."""
        return sum(
            1
            for w in words
            if len(w) > 2
            and w not in common
            and (w in self.evidence or _starts(w, self.evidence_stems))
        )


@dataclass
class View:
    """The stems and word lists that apply to one question: the main languages' and those of
    the other languages it is written in."""

    languages: frozenset[str]
    stems: dict[str, StemGroup]
    types: dict[str, StemGroup]
    network_words: frozenset[str]
    city_words: frozenset[str]
    demonyms: tuple[tuple[str, str], ...]
    stop_words: frozenset[str]
    clear_ongoing: StemGroup  # "ongoing" words that are not also topic words ("active")
    near_ongoing: re.Pattern[str]
    clear_ended: StemGroup  # "ended" words that are not also topic words ("former barracks")
    near_ended: re.Pattern[str]
    clear_upcoming: StemGroup  # "upcoming" words that are not also topic words ("the future")
    near_upcoming: re.Pattern[str]
    in_network: re.Pattern[str]


@dataclass
class Lexicon:
    """The language tables questions are read with: the thesaurus, country names, stop words,
    the main languages' tables pooled (``main``) and every other language's (``languages``)."""

    thesaurus: Thesaurus
    countries: dict[str, str]
    stop_words: frozenset[str]
    main: Language  # the files marked ``always``, pooled, and ``data/demonyms.yaml``
    languages: dict[str, Language]  # the other files
    common: frozenset[str]  # the main languages' stop words and words for network
    main_evidence: dict[str, frozenset[str]]  # stop words and words for network and city
    main_prefixes: dict[str, dict[str, tuple[str, ...]]]  # their terms' first words, by 3 letters
    _views: dict[frozenset[str], View] = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_views": {}}  # compiled patterns are rebuilt on first use

    @staticmethod
    @cache
    def load() -> Lexicon:
        files = language_files()
        always = [code for code, data in files.items() if data.get("always")]
        main = Language.from_data(
            "main", _pooled([*(files[c] for c in always), {"demonyms": load_data("demonyms")}])
        )
        languages = {c: Language.from_data(c, d) for c, d in files.items() if c not in always}
        # Words and terms that several languages share ("urbact", "smart city", "digital")
        # say nothing about the language a question is in.
        shared = Counter(
            t
            for lang in languages.values()
            for t in {*lang.evidence, *(s for v in lang.evidence_stems.values() for s in v)}
        )
        international = frozenset(t for t, n in shared.items() if n >= 5) | {"urbact"}
        for lang in languages.values():
            lang.evidence -= international
            lang.evidence_stems = _by_prefix(
                s for v in lang.evidence_stems.values() for s in v if s not in international
            )
        # A main language's evidence: its stop words, every main word for network and city,
        # and the first words of its terms (the thesaurus's own for English).
        main_evidence = {
            code: stop_words_of(code) | main.words["network"] | main.words["city"]
            for code in always
        }
        thesaurus = [e for e in load_data("thesaurus").values() if isinstance(e, dict)]
        term_lists = {
            code: [*(e.get(code) for e in thesaurus), *(files[code].get("concepts") or {}).values()]
            for code in always
        }
        main_prefixes = {
            code: _by_prefix(
                t.split()[0] for terms in lists for t in _folded(terms) if len(t.split()[0]) >= 4
            )
            for code, lists in term_lists.items()
        }
        return Lexicon(
            thesaurus=_thesaurus(files),
            countries=_country_names(),
            stop_words=stop_words(),
            main=main,
            languages=languages,
            common=frozenset().union(*main_evidence.values()) | international,
            main_evidence=main_evidence,
            main_prefixes=main_prefixes,
        )

    def languages_of(self, words: list[str]) -> frozenset[str]:
        """The other languages a question is written in: those with the most words of theirs,
        at least one, and at least as many as the best main language has."""
        scores = {code: lang.score(words, self.common) for code, lang in self.languages.items()}
        best = max(scores.values(), default=0)
        main = max(
            (
                sum(
                    len(w) > 2 and (w in evidence or _starts(w, self.main_prefixes[code]))
                    for w in words
                )
                for code, evidence in self.main_evidence.items()
            ),
            default=0,
        )
        if best < 1 or best < main:
            return frozenset()
        return frozenset(code for code, score in scores.items() if score == best)

    def view(self, folded_phrase: str, language: str | None = None) -> View:
        """The tables for a question: the main languages', those of the other languages its
        words show, and ``language``'s (the language it was detected in) when it has a file."""
        codes = self.languages_of(folded_phrase.split())
        if language in self.languages:
            codes |= {language}
        if codes not in self._views:
            self._views[codes] = self._make_view(codes)
        return self._views[codes]

    def _make_view(self, codes: frozenset[str]) -> View:
        chosen = [self.main, *(self.languages[c] for c in sorted(codes))]

        def union(table: str, kind: str) -> set[str]:
            return {s for lang in chosen for s in getattr(lang, table).get(kind, ())}

        def alternatives(words: Iterable[str]) -> str:
            return "|".join(sorted(map(re.escape, words), key=len, reverse=True)) or "(?!)"

        def group(kind: str, table: str = "stems") -> StemGroup:
            return StemGroup(
                getattr(lang, table)[kind] for lang in chosen if kind in getattr(lang, table)
            )

        nets = alternatives(union("words", "network"))
        ambiguous = alternatives(group("ambiguous_ongoing").stems)
        ambiguous_ended = alternatives(group("ambiguous_ended").stems)
        ambiguous_upcoming = alternatives(group("ambiguous_upcoming").stems)
        return View(
            languages=codes,
            stems={kind: group(kind) for kind in STEM_KINDS},
            types={kind: group(kind, "types") for kind in TYPE_KINDS},
            network_words=frozenset(union("words", "network")),
            city_words=frozenset(union("words", "city")),
            demonyms=tuple(
                sorted({d for lang in chosen for d in lang.demonyms}, key=lambda s: (-len(s[0]), s))
            ),
            stop_words=self.stop_words.union(*(lang.stop_words for lang in chosen)),
            clear_ongoing=group("clear_ongoing"),
            near_ongoing=re.compile(
                rf"\b(?:{ambiguous})\w*\s+(?:\w+\s+){{0,2}}(?:{nets})\b"  # "currently in a network"
                rf"|\b(?:{nets})\s+(?:\w+\s+)?(?:{ambiguous})"
            ),
            clear_ended=group("clear_ended"),
            near_ended=re.compile(
                rf"\b(?:{ambiguous_ended})\w*\s+(?:\w+\s+)?(?:{nets})\b"
                rf"|\b(?:{nets})\s+(?:{ambiguous_ended})"  # not "sieci o dawnych koszarach"
            ),
            clear_upcoming=group("clear_upcoming"),
            near_upcoming=re.compile(  # "future networks", not "the jobs of the future"
                rf"\b(?:{ambiguous_upcoming})\w*\s+(?:\w+\s+)?(?:{nets})\b"
                rf"|\b(?:{nets})\s+(?:{ambiguous_upcoming})"
            ),
            in_network=re.compile(
                rf"\b(?:{alternatives(union('words', 'in'))})\s+(?:\w+\s+){{0,3}}(?:{nets})\b"
            ),
        )


def _pooled(files: Iterable[dict]) -> dict:
    """Language files as one: the lists of each table, concatenated."""
    pooled: dict[str, dict[str, list]] = {}
    for data in files:
        for section in ("words", "stems", "types", "demonyms", "concepts"):
            for key, values in (data.get(section) or {}).items():
                if isinstance(values, list):
                    pooled.setdefault(section, {}).setdefault(key, []).extend(values)
    return pooled


STOP_LANGUAGES = (
    "english", "french", "german", "italian", "spanish", "polish", "portuguese", "dutch",
    "romanian", "czech", "hungarian", "swedish", "danish", "finnish", "greek",
)  # fmt: skip
# Words in almost every question or card that carry no topic (and the words for network).
DOMAIN_STOP = {
    "urbact", "city", "cities", "town", "towns", "tackle", "tackles", "work", "works",
    "working", "deal", "topic", "which", "what", "about", "ville", "villes", "stadt", "stadte",
    "citta", "ciudad", "ciudades", "miasto", "miasta", "cidade", "cidades", "stad", "steden",
    "quali", "quais", "welke", "welk", "gibt", "existem",  # question words the lists lack
    # "any", "some" the lists lack
    "jakies", "jakiekolwiek", "jakikolwiek", "jakakolwiek", "jakims", "ktores", "ktorys",
    "ktoras", "irgendein", "irgendeine", "irgendeinen", "irgendeinem", "irgendeiner",
    "irgendwelche", "irgendwelchen", "alguma", "algum", "algumas", "alguns", "nenhum", "nenhuma",
    "alcuna", "alcune", "alcuni", "alcun", "nessuna", "nessun", "quelque", "quelques",
    "quelconque", "aucune", "aucun", "enige", "enig", "enkele", "sommige",
}  # fmt: skip


# Stop words of one language that are topic words of the cards: Romanian "care" (which) is
# English "care", French "car" (because) is a car, a Czech list has "design".
TOPIC_WORDS = frozenset({"care", "car", "design", "war", "sport", "art", "plan"})


@cache
def stop_words() -> frozenset[str]:
    """Folded stop words of the main EU languages, and words every question or card has."""
    from stop_words import get_stop_words

    words = set(DOMAIN_STOP) | network_words()
    for language in STOP_LANGUAGES:
        words.update(t for w in get_stop_words(language) for t in tokens(w))
    return frozenset(words - TOPIC_WORDS)


@cache
def language_files() -> dict[str, dict]:
    """The files ``data/languages/<code>.yaml`` by language code."""
    from importlib.resources import files

    folder = files("urbact_assistant").joinpath("data", "languages")
    if not folder.is_dir():
        return {}
    names = sorted(f.name[:-5] for f in folder.iterdir() if f.name.endswith(".yaml"))
    data = {code: load_data(f"languages/{code}") for code in names}
    return {code: d for code, d in data.items() if isinstance(d, dict)}


@cache
def network_words() -> frozenset[str]:
    """Words for "network" that every question is read with (the main languages' files)."""
    main = [d for d in language_files().values() if d.get("always")]
    return frozenset(w for d in main for w in _folded((d.get("words") or {}).get("network")))


@cache
def words_of_every_language(kind: str) -> frozenset[str]:
    """Every language's words of a kind ("network", "city"), folded."""
    return frozenset(
        w for d in language_files().values() for w in _folded((d.get("words") or {}).get(kind))
    )


def _starts(word: str, table: dict[str, tuple[str, ...]]) -> bool:
    return any(word.startswith(stem) for stem in table.get(word[:3], ()))


def _by_prefix(stems: Iterable[str]) -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for stem in stems:
        table.setdefault(stem[:3], set()).add(stem)
    return {key: tuple(sorted(values)) for key, values in table.items()}


def stop_words_of(code: str) -> frozenset[str]:
    """One language's stop words, folded (empty when the stop-words package lacks it)."""
    if code not in STOP_WORD_LISTS:
        return frozenset()
    from stop_words import get_stop_words

    return frozenset(t for w in get_stop_words(STOP_WORD_LISTS[code]) for t in tokens(w))


def _folded(values: object) -> list[str]:
    """Terms of a language file as folded phrases ("Ελλάδα" → "ellada"); a trailing space, which
    makes a stem end a word (" appel " is not "appeler"), is kept."""
    if not isinstance(values, list):
        return []
    return [f + " " * str(v).endswith(" ") for v in values if (f := " ".join(tokens(str(v))))]


def _thesaurus(files: dict[str, dict]) -> Thesaurus:
    """Terms indexed by the first three letters of their first word, with their language: None
    for those of the thesaurus itself and of the files marked ``always``, which always apply."""
    index: Thesaurus = {}
    concepts: dict[str, Concept] = {}
    terms_of: list[tuple[str, list, str | None]] = []
    for cid, entry in load_data("thesaurus").items():
        if not isinstance(entry, dict):
            continue
        concepts[cid] = Concept(cid, str(entry.get("kind", "topic")), tuple(entry.get("en") or ()))
        terms_of += [
            (cid, t, None) for lang, t in entry.items() if lang != "kind" and isinstance(t, list)
        ]
        terms_of += [
            (cid, t, None)
            for data in files.values()
            if data.get("always") and isinstance(t := (data.get("concepts") or {}).get(cid), list)
        ]
    for code, data in files.items():
        if not data.get("always"):
            for cid, terms in (data.get("concepts") or {}).items():
                if cid in concepts and isinstance(terms, list):
                    terms_of.append((cid, terms, code))
    seen = set()
    for cid, terms, language in terms_of:
        for term in terms:
            words = tuple(tokens(str(term)))
            if words and len(words[0]) >= 3 and (words, cid, language) not in seen:
                seen.add((words, cid, language))
                index.setdefault(words[0][:3], []).append((words, concepts[cid], language))
    return index


# Openings of a continuation in the supported languages ("and in Italy?", "Και το …;").
FOLLOW_UP = re.compile(
    r"^\s*(?:and|also|what about|how about|et|aussi|und|auch|e|anche|y|tambien|también|i|oraz|"
    r"a co z|e quanto|en|ook|και|κι|és|și|şi|iar|ja|och|og|agus|ir|pa|entä|aga|"
    r"и|і|й|а|та|також)\b",
    re.IGNORECASE,
)  # not "a", "in", "un", "si": also an article or a preposition, or "if" elsewhere


def follows_on(text: str) -> bool:
    """Whether ``text`` opens like a continuation ("and in Italy?", "¿y en Italia?")."""
    return bool(FOLLOW_UP.match(text.lstrip("¿¡ \"'«")))


def find_concepts(
    question_tokens: list[str], index: Thesaurus, languages: frozenset[str] = frozenset()
) -> list[Concept]:
    """Concepts whose terms occur in the question: each term word a prefix of consecutive words.
    Terms of the other languages count only for the ``languages`` the question is in."""
    found: dict[str, Concept] = {}
    for _, _, concept in concept_spans(question_tokens, index, languages):
        found.setdefault(concept.id, concept)
    return list(found.values())


def concept_spans(
    question_tokens: list[str], index: Thesaurus, languages: frozenset[str] = frozenset()
) -> list[tuple[int, int, Concept]]:
    """Where each concept of ``find_concepts`` occurs: ``(start, end, concept)`` token spans."""
    spans: list[tuple[int, int, Concept]] = []
    for i, token in enumerate(question_tokens):
        for words, concept, language in index.get(token[:3], ()):
            if language is not None and language not in languages:
                continue
            end = _match_term(question_tokens, i, words)
            if end is None:
                continue
            if len(words) == 1 and len(words[0]) < 4 and question_tokens[i] != words[0]:
                continue  # short acronyms must match a whole word
            spans.append((i, end, concept))
    # A concept found only inside a longer match of another one is dropped:
    # "lavoro da remoto" is remote work, not jobs.
    return [
        (start, end, concept)
        for start, end, concept in spans
        if not any(
            s <= start and end <= e and (e - s) > (end - start) and c.id != concept.id
            for s, e, c in spans
        )
    ]


def is_everyday_word(
    word: str, index: Thesaurus, languages: frozenset[str], stop: frozenset[str]
) -> bool:
    """A folded word that the question's languages use as a function word or as (almost all
    of) a topic term: Italian "porto" (port), Spanish "como" (how)."""
    if word in stop:
        return True
    return any(
        len(words) == 1
        and word.startswith(words[0])
        and len(words[0]) >= max(4, len(word) - 1)
        and (language is None or language in languages)
        for words, _, language in index.get(word[:3], ())
    )


def _match_term(question_tokens: list[str], start: int, words: tuple[str, ...]) -> int | None:
    """End of a match of ``words`` as prefixes of the question's words from ``start``; short
    function words in between are skipped ("werken afstand" matches "werken op afstand"), and
    in a term of three or more words one longer word too ("bezpečn cest škol" matches
    "bezpečnou cestou dětí do školy")."""
    pos, gaps = start, int(len(words) >= 3)
    for j, word in enumerate(words):
        if j:
            while pos < len(question_tokens) and not question_tokens[pos].startswith(word):
                if len(question_tokens[pos]) > 3:
                    if not gaps:
                        break
                    gaps -= 1
                pos += 1
        if pos >= len(question_tokens) or not question_tokens[pos].startswith(word):
            return None
        pos += 1
    return pos


# Languages of country names (pycountry's translations): the EU's and its neighbours'.
COUNTRY_NAME_LANGUAGES = (
    "fr", "de", "it", "es", "pl", "pt", "nl", "cs", "sk", "sl", "hr", "hu", "ro", "bg", "el",
    "sv", "da", "fi", "et", "lv", "lt", "ga", "mt", "uk", "sr", "sq", "tr",
)  # fmt: skip


def _country_names() -> dict[str, str]:
    """Folded country names in the EU's languages and its neighbours' → ISO code."""
    import gettext

    import pycountry

    names: dict[str, str] = {}
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in COUNTRY_NAME_LANGUAGES
    ]
    for country in pycountry.countries:
        english = [
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        ]
        for name in english + [t.gettext(country.name) for t in translations]:
            key = " ".join(tokens(name))
            if len(key) >= 4:
                names.setdefault(key, country.alpha_2)
    extra = {"uk": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB",
             "england": "GB", "czech republic": "CZ", "czechia": "CZ", "kosovo": "XK",
             "holland": "NL", "the netherlands": "NL", "moldova": "MD", "turkey": "TR"}  # fmt: skip
    names.update(extra)
    return names


def demonym(word: str, stems: tuple[tuple[str, str], ...]) -> str | None:
    """``polskich`` → ``PL``, ``ukrainienne`` → ``UA``: adjectives of nationality."""
    return next((code for stem, code in stems if word.startswith(stem)), None)


THANKS_SIGNS = frozenset("👍🙏👌🙂😊❤️♥️💯✅🤝")


def small_talk(question: str, folded_phrase: str, view: View) -> str | None:
    """``greeting`` or ``thanks`` when the message is only that (and punctuation, emoji, a
    mention of URBACT or the bot); None for anything with more to it."""
    signs = {c for c in question if not c.isspace()}
    if signs and signs <= THANKS_SIGNS | {"\ufe0f", "!", "."}:  # "👍", "🙏!"
        return "thanks"
    if not folded_phrase.strip():
        return None
    for kind in ("thanks", "greeting"):
        stems = view.stems[kind].stems
        rest = f" {folded_phrase.strip()} "
        for stem in sorted((s.strip() for s in stems), key=len, reverse=True):
            rest = re.sub(rf"(?<![a-z0-9]){re.escape(stem)}(?![a-z0-9])", " ", rest)
        left = [w for w in rest.split() if w not in ("urbact", "bot", "assistant", "very", "much")]
        if not left and rest.strip() != folded_phrase.strip():
            return kind
    return None


def inflected_country(
    word: str, names: Mapping[str, str], vocabulary: Container[str], cities: Container[str]
) -> str | None:
    """A country name in another grammatical case ("z Chorwacji", "v Chorvatsku", "Hiszpanii"):
    a one-word name that the word extends or changes only in its last two letters."""
    if len(word) < 6 or word in vocabulary or word in cities:
        return None
    for name, code in names.items():
        if " " in name or len(name) < 5 or abs(len(word) - len(name)) > 3:
            continue
        stem = name[:-2]
        if word.startswith(stem) and len(stem) >= 5 and code in EUROPE:
            return code
    return None
