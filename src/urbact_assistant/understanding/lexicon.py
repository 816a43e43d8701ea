"""The language tables questions are read with, all built from data without an LLM.

The eight main languages (EN, FR, DE, IT, ES, PL, PT, NL) are in this module and in
``data/thesaurus.yaml``: stems of question kinds and filters, words for network and city,
nationality adjectives (``data/demonyms.yaml``). Every other language adds a file
``data/languages/<code>.yaml`` with the same tables; a file applies to a question only when the
question is written in that language (``Lexicon.languages_of``). Country names come from
pycountry in 27 languages. Matching works on accent-, case- and script-folded text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from urbact_assistant.core.text import tokens

# Stems are matched against the start of folded tokens ("candidat" matches "candidature").
# Asking about calls, applying or eligibility: a joining question even when a city is named.
JOIN_STRONG = (
    "apply", "applic", "applying", "call", "eligib", "deadline", "cofinanc", "co financ",
    "become a partner", "how can my city", "how can a city", "how do cities", "candidat",
    " appel ", "appels", "postul", "inscri", "bewerb", "aufruf", "ausschreib", "forderfah", "foerderfah",
    "bando", "bandi", "ammissib", "solicit", "convocator", "elegib", "wniosek", "nabor",
    "zaprosz", "kwalifik", "concurso", "aanvra", "oproep", "subsidiab", "inschrijv",
    "finanzi", "financ", "funding", "fund", "dofinans", "wspolfinans", "kofinanz", "budget",
)  # fmt: skip
# Taking part: a joining question in general, a city question when a city is named.
JOIN_WEAK = (
    "join", "particip", "take part", "takes part", "taking part", "get into", "get involved",
    "getting involved", "sign up", "signing up", "become part", "become a member", "rejoindre", "adherer",
    "beitret", "teilnehm", "mitmach", "aderir", "partecip", "entrare", "unirse", "unir",
    "entrar", "dolacz", "przystap", "uczestn", "wziac udzial", "deelne", "aansluit",
    "meedoen", "doet mee", "doen mee",
)  # fmt: skip
# Attempts to steer the assistant instead of asking about URBACT.
INJECTION = (
    "ignore all", "ignore previous", "ignore the previous", "ignore your", "system prompt",
    "your instructions", "previous instructions", "ignorez", "oubliez vos", "ignoriere",
    "vergiss", "ignora le", "ignora tutte", "ignora", "dimentica", "olvida tus", "olvida las",
    "zignoruj", "ignoruj", "esquece", "ignore as", "negeer", "vergeet je", "prompt systemowy",
    "jailbreak", "developer mode",
)  # fmt: skip
# Other EU funding programmes: questions about them are not URBACT questions.
OTHER_PROGRAMMES = (
    "horizon europe", "horizon 2020", "erasmus", "interreg europe", "creative europe",
    "europe creative", "europa creativa", "kreatives europa", "digital europe", "cerv programme",
    "connecting europe", "european social fund", "esf+", "eu4health", "life programme",
    "programme life", "programma life", "programa life", "programu life",
)  # fmt: skip
# Requests that are never about URBACT, whatever else they mention ("a poem about Amsterdam").
OFF_TOPIC = (
    "poem", "poeme", "gedicht", "poesia", "poema", "wiersz", "wierszyk", "essay", "aufsatz",
    "dissertation", "wypracowan", "redacao", "redaccion", "opstel", "joke", "blague", "witz",
    "barzellett", "chiste", "dowcip", "piada", "mop over", "song", "chanson", "canzon",
    "cancion", "piosenk", "cancao", "liedje", "recipe", "recette", "rezept", "ricett", "receta",
    "przepis", "receita", "recept", "horoscop", "horoskop", "horoscoop", "lottery", "lotto",
)  # fmt: skip
# "Networks led by Italian cities": the country is the lead partner's.
LED_BY = (
    "led by", "lead by", "leading", "lead partner", "pilote par", "pilotes par", "pilotee",
    "menes par", "coordonne", "chef de file", "geleitet", "gefuhrt", "federfuhr", "lead partner",
    "guidat", "capofila", "coordinat", "liderad", "lider", "dirigid", "coordinad", "prowadzon",
    "kierowan", "partner wiodac", "liderowan", "geleid", "getrokken", "trekker", "penvoerder",
)  # fmt: skip
STATUS_STEMS: dict[str, tuple[str, ...]] = {
    "ongoing": (
        "ongoing", "current", "active", "running", "en cours", "actuel", "actifs", "actives",
        "laufend", "aktuell", "aktive", "derzeit", "in corso", "attivi", "attive", "attual",
        "en curso", "en marcha", "activos", "activas", "vigente", "trwaj", "aktywn", "obecn", "biezac",
        "em curso", "a decorrer", "atuais", "atual", "ativos", "ativas", "lopend", "actieve",
        "huidig",
    ),
    "ended": (
        "past", "ended", "finished", "closed", "completed", "former", "previous", "old",
        "termin", "passe", "ancien", "abgeschloss", "beendet", "fruher", "vergangen",
        "conclus", "passat", "chius", "finaliz", "anterior", "cerrad", "zakoncz", "dawn",
        "poprzedn", "conclu", "afgelop", "beeindig", "voormalig", "vorig", "afgerond",
    ),
    "upcoming": (
        "upcoming", "future", "prochain", "futur", "kunftig", "zukunft", "prossim", "futur",
        "proxim", "przyszl", "nadchodz", "toekomst", "komend",
    ),
}  # fmt: skip
AMBIGUOUS_ONGOING = ("active", "lopend", "actifs", "actives", "aktive", "attivi", "attive", "activos", "activas", "aktywn", "ativos", "ativas", "actieve", "current")  # fmt: skip
TYPE_STEMS: dict[str, tuple[str, ...]] = {
    "innovation-transfer": ("innovation transfer", "itn", "itns", "uia transfer", "transfert d innovation", "trasferimento dell innovazione", "transferencia de innovacion"),
    "action-planning": ("action planning", "apn", "apns", "planification", "aktionsplanung", "pianificazione", "planificacion", "planowania", "planeamento", "actieplanning"),
    "transfer": ("transfer network", "transfer networks", "transfert", "transfernetzwerk", "trasferimento", "transferencia", "transferow", "transferencia", "transfernetwerk", "tn", "tns"),
    "action": ("action network", "action networks", "reseaux d action", "aktionsnetzwerk", "reti d azione", "redes de accion", "sieci dzialan", "actienetwerk"),
    "implementation": ("implementation", "mise en oeuvre", "umsetzung", "attuazione", "implementacion", "wdrazani", "implementacao", "uitvoering"),
    "pilot": ("pilot network", "pilot networks", "reseau pilote", "reseaux pilotes", "pilotnetzwerk", "rete pilota", "reti pilota", "red piloto", "redes piloto"),
    "thematic": ("thematic", "thematique", "thematisch", "tematic"),
}  # fmt: skip
# Words that show a question is about participation in URBACT, so that a city name in
# "is Tartu in a network?" is read as a city question but "weather in Paris" is not.
PARTICIPATION_STEMS = JOIN_WEAK + (
    "network", "urbact", "partner", "member", "involved", "udzial", "udzialem",
    "project", "cooperat", "reseau", "partenaire", "membre", "netzwerk", "beteiligt", "mitglied",
    "nimmt", "rete", "reti", "coinvolt", "membro", "red", "redes", "socio", "miembro", "siec",
    "sieci", "uczestnicz", "czlon", "rede", "parceir", "netwerk", "deelnem", "doet mee", "lid",
    "projet", "projekt", "progett", "proyecto", "projeto", "leads", "lead", "natverk",
    "dikty", "mrez", "retea", "retel", "halozat",
)  # fmt: skip
# "Is X in a network?" in the main languages: a preposition shortly before a word for network.
IN_WORDS = ("in", "im", "en", "w", "we", "a", "ad", "em", "no", "na", "aan", "bij", "nel", "nella", "dans", "di", "do", "da", "med", "se", "u", "v", "ve")  # fmt: skip
MEMBER_STEMS = ("member", "partner", "involved", "membre", "partenaire", "mitglied", "beteiligt", "membro", "socio", "miembro", "czlon", "parceir", "lid van", "deel van")  # fmt: skip
# Words for city, town and municipality: never the topic of a question about networks.
CITY_WORDS = frozenset(
    "city cities town towns municipality municipalities ville villes commune communes stadt "
    "stadte stadten gemeinde gemeinden kommune kommunen citta comune comuni ciudad ciudades "
    "municipio municipios ayuntamiento ayuntamientos miasto miasta miast miastach miastami "
    "gmina gminy gmin cidade cidades municipios concelho concelhos camara stad steden "
    "gemeente gemeenten".split()
)
NETWORK_WORDS = ("network", "networks", "reseau", "reseaux", "netzwerk", "netzwerke", "rete", "reti", "red", "redes", "rede", "siec", "sieci", "netwerk", "netwerken", "natverk", "diktyo", "diktya", "mreza", "mreze", "retea", "retele", "halozat")  # fmt: skip


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
        return bool(self._pattern.search(text))


class StemGroup:
    """Several ``Stems`` searched as one (the main languages' and a question's other ones)."""

    def __init__(self, parts: Iterable[Stems]):
        self.parts = tuple(parts)

    def search(self, text: str) -> bool:
        return any(part.search(text) for part in self.parts)

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(s for part in self.parts for s in part.stems)


STEM_KINDS = (
    "join_strong", "join_weak", "participation", "member", "ongoing", "ended", "upcoming", "call",
    "eligibility", "injection", "other_programmes", "off_topic", "led_by",
)  # fmt: skip
# The eight main languages: their stems are in this module and always apply.
BASE_LANGUAGES = ("en", "fr", "de", "it", "es", "pl", "pt", "nl")
STOP_WORD_LISTS = {
    "en": "english", "fr": "french", "de": "german", "it": "italian", "es": "spanish",
    "pl": "polish", "pt": "portuguese", "nl": "dutch", "cs": "czech", "sk": "slovak",
    "hu": "hungarian", "ro": "romanian", "bg": "bulgarian", "el": "greek", "sv": "swedish",
    "da": "danish", "fi": "finnish", "uk": "ukrainian", "tr": "turkish",
}  # fmt: skip
# (words, concept, language): the language is None for the main languages' terms.
Thesaurus = dict[str, list[tuple[tuple[str, ...], "Concept", str | None]]]


@dataclass
class Language:
    """One ``data/languages/<code>.yaml`` file. Its stems apply to a question only when the
    question shows more words of that language than of any main language, so that a Swedish
    "dikt" (poem) does not make a Greek "δίκτυα" (networks) question off-topic."""

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
        demonyms = tuple(
            (stem, code_)
            for code_, values in (data.get("demonyms") or {}).items()
            for stem in _folded(values)
            if len(stem) >= 3
        )
        terms = [t for values in (*stems.values(), *types.values()) for t in values]
        terms += [t for values in (data.get("concepts") or {}).values() for t in _folded(values)]
        stop = _stop_words_of(code)
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
    in_network: re.Pattern[str]


@dataclass
class Lexicon:
    """The language tables questions are read with: the thesaurus, nationality adjectives,
    country names, stop words and the stems of question kinds and filters. The eight main
    languages are in this module and ``data/thesaurus.yaml``; every other language adds a file
    ``data/languages/<code>.yaml``."""

    thesaurus: Thesaurus
    demonyms: tuple[tuple[str, str], ...]
    countries: dict[str, str]
    stop_words: frozenset[str]
    languages: dict[str, Language]
    base_stems: dict[str, Stems]
    base_types: dict[str, Stems]
    common: frozenset[str]  # the main languages' stop words and words for network
    base_evidence: dict[str, frozenset[str]]  # stop words and words for network and city
    base_prefixes: dict[str, dict[str, tuple[str, ...]]]  # thesaurus words, by 3 letters
    _views: dict[frozenset[str], View] = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_views": {}}  # compiled patterns are rebuilt on first use

    @staticmethod
    @cache
    def load() -> Lexicon:
        from urbact_assistant.search.lexical import stop_words

        files = {name.split("/")[-1]: load_data(name) for name in _language_files()}
        languages = {
            code: Language.from_data(code, data)
            for code, data in files.items()
            if isinstance(data, dict)
        }
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
        base_evidence = {
            code: _stop_words_of(code) | frozenset(NETWORK_WORDS) | CITY_WORDS
            for code in BASE_LANGUAGES
        }
        base_terms: dict[str, list[str]] = {code: [] for code in BASE_LANGUAGES}
        for entry in load_data("thesaurus").values():
            for code, terms in entry.items() if isinstance(entry, dict) else ():
                if code in base_terms and isinstance(terms, list):
                    firsts = (_folded([t])[0].split()[0] for t in terms if _folded([t]))
                    base_terms[code] += [word for word in firsts if len(word) >= 4]
        return Lexicon(
            thesaurus=_thesaurus(files),
            demonyms=_demonym_stems(),
            countries=_country_names(),
            stop_words=stop_words(),
            languages=languages,
            base_stems={kind: Stems(values) for kind, values in _base_stems().items()},
            base_types={kind: Stems(values) for kind, values in TYPE_STEMS.items()},
            common=frozenset().union(*base_evidence.values()) | international,
            base_evidence=base_evidence,
            base_prefixes={code: _by_prefix(terms) for code, terms in base_terms.items()},
        )

    def languages_of(self, words: list[str]) -> frozenset[str]:
        """The other languages a question is written in: those with the most words of theirs,
        at least one, and at least as many as the best main language has."""
        scores = {code: lang.score(words, self.common) for code, lang in self.languages.items()}
        best = max(scores.values(), default=0)
        base = max(
            (
                sum(
                    len(w) > 2
                    and (w in self.base_evidence[code] or _starts(w, self.base_prefixes[code]))
                    for w in words
                )
                for code in BASE_LANGUAGES
            ),
            default=0,
        )
        if best < 1 or best < base:
            return frozenset()
        return frozenset(code for code, score in scores.items() if score == best)

    def view(self, folded_phrase: str) -> View:
        codes = self.languages_of(folded_phrase.split())
        if codes not in self._views:
            self._views[codes] = self._make_view(codes)
        return self._views[codes]

    def _make_view(self, codes: frozenset[str]) -> View:
        chosen = [self.languages[c] for c in sorted(codes)]
        network = set(NETWORK_WORDS).union(*(lang.words["network"] for lang in chosen))
        ins = set(IN_WORDS).union(*(lang.words["in"] for lang in chosen))
        nets = "|".join(sorted(map(re.escape, network), key=len, reverse=True))
        ambiguous = "|".join(AMBIGUOUS_ONGOING)
        in_words = "|".join(sorted(map(re.escape, ins), key=len, reverse=True))

        def group(
            kind: str, tables: str = "stems", base: dict[str, Stems] | None = None
        ) -> StemGroup:
            own = (base if base is not None else self.base_stems).get(kind)
            others = [getattr(lang, tables).get(kind) for lang in chosen]
            return StemGroup(p for p in (own, *others) if p is not None)

        return View(
            languages=codes,
            stems={kind: group(kind) for kind in STEM_KINDS},
            types={kind: group(kind, "types", self.base_types) for kind in TYPE_STEMS},
            network_words=frozenset(network),
            city_words=CITY_WORDS.union(*(lang.words["city"] for lang in chosen)),
            demonyms=tuple(
                sorted(
                    {*self.demonyms, *(d for lang in chosen for d in lang.demonyms)},
                    key=lambda s: (-len(s[0]), s),
                )
            ),
            stop_words=self.stop_words.union(*(lang.stop_words for lang in chosen)),
            clear_ongoing=StemGroup(
                [
                    self.base_stems["clear_ongoing"],
                    *(lang.stems["ongoing"] for lang in chosen if "ongoing" in lang.stems),
                ]
            ),
            near_ongoing=re.compile(
                rf"\b(?:{ambiguous})\w*\s+(?:\w+\s+)?(?:{nets})\b"
                rf"|\b(?:{nets})\s+(?:\w+\s+)?(?:{ambiguous})"
            ),
            in_network=re.compile(rf"\b(?:{in_words})\s+(?:\w+\s+){{0,3}}(?:{nets})\b"),
        )


def _base_stems() -> dict[str, tuple[str, ...]]:
    clear = tuple(s for s in STATUS_STEMS["ongoing"] if s not in AMBIGUOUS_ONGOING)
    return {
        "clear_ongoing": clear,
        "join_strong": JOIN_STRONG, "join_weak": JOIN_WEAK, "member": MEMBER_STEMS,
        "participation": PARTICIPATION_STEMS, "call": CALL_STEMS, "led_by": LED_BY,
        "eligibility": ELIGIBILITY_STEMS, "injection": INJECTION, "off_topic": OFF_TOPIC,
        "other_programmes": OTHER_PROGRAMMES, **STATUS_STEMS,
    }  # fmt: skip


def _starts(word: str, table: dict[str, tuple[str, ...]]) -> bool:
    return any(word.startswith(stem) for stem in table.get(word[:3], ()))


def _by_prefix(stems: Iterable[str]) -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for stem in stems:
        table.setdefault(stem[:3], set()).add(stem)
    return {key: tuple(sorted(values)) for key, values in table.items()}


def _stop_words_of(code: str) -> frozenset[str]:
    """One language's stop words, folded (empty when the stop-words package lacks it)."""
    if code not in STOP_WORD_LISTS:
        return frozenset()
    from stop_words import get_stop_words

    return frozenset(t for w in get_stop_words(STOP_WORD_LISTS[code]) for t in tokens(w))


def _folded(values: object) -> list[str]:
    """Terms of a language file as folded phrases ("Ελλάδα" → "ellada")."""
    if not isinstance(values, list):
        return []
    return [folded for v in values if (folded := " ".join(tokens(str(v))))]


def _language_files() -> list[str]:
    from importlib.resources import files

    folder = files("urbact_assistant").joinpath("data", "languages")
    if not folder.is_dir():
        return []
    return sorted(f"languages/{f.name[:-5]}" for f in folder.iterdir() if f.name.endswith(".yaml"))


def _thesaurus(files: dict[str, object] | None = None) -> Thesaurus:
    """Terms indexed by the first three letters of their first word, with their language
    (None for the main languages, whose terms always apply)."""
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
    for code, data in (files or {}).items():
        if isinstance(data, dict):
            for cid, terms in (data.get("concepts") or {}).items():
                if cid in concepts and isinstance(terms, list):
                    terms_of.append((cid, terms, code))
    seen = set()
    for cid, terms, code in terms_of:
        for term in terms:
            words = tuple(tokens(str(term)))
            if words and len(words[0]) >= 3 and (words, cid, code) not in seen:
                seen.add((words, cid, code))
                index.setdefault(words[0][:3], []).append((words, concepts[cid], code))
    return index


def find_concepts(
    question_tokens: list[str], index: Thesaurus, languages: frozenset[str] = frozenset()
) -> list[Concept]:
    """Concepts whose terms occur in the question: each term word a prefix of consecutive words.
    Terms of the other languages count only for the ``languages`` the question is in."""
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
    found: dict[str, Concept] = {}
    for start, end, concept in spans:
        inside = any(
            s <= start and end <= e and (e - s) > (end - start) and c.id != concept.id
            for s, e, c in spans
        )
        if not inside:
            found.setdefault(concept.id, concept)
    return list(found.values())


def _match_term(question_tokens: list[str], start: int, words: tuple[str, ...]) -> int | None:
    """End of a match of ``words`` as prefixes of the question's words from ``start``; short
    function words in between are skipped ("werken afstand" matches "werken op afstand")."""
    pos = start
    for j, word in enumerate(words):
        if j:
            while (
                pos < len(question_tokens)
                and len(question_tokens[pos]) <= 3
                and not question_tokens[pos].startswith(word)
            ):
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


def _demonym_stems() -> tuple[tuple[str, str], ...]:
    stems = {
        (folded, code)
        for code, values in load_data("demonyms").items()
        for folded in _folded(values)
        if len(folded) >= 3
    }
    return tuple(sorted(stems, key=lambda s: (-len(s[0]), s)))


def demonym(word: str, stems: tuple[tuple[str, str], ...]) -> str | None:
    """``polskich`` → ``PL``, ``ukrainienne`` → ``UA``: adjectives of nationality."""
    return next((code for stem, code in stems if word.startswith(stem)), None)


CALL_STEMS = ("call", "deadline", "appel", "aufruf", "ausschreib", "bando", "bandi", "convocator", "nabor", "oproep", "concurso", "candidatur", "when", "quand", "wann", "quando", "cuando", "kiedy", "wanneer")  # fmt: skip
ELIGIBILITY_STEMS = ("eligib", "can a", "may a", "who can", "ammissib", "elegib", "kwalifik", "subsidiab", "forderfah", "peut", "kann ", "puo", "puede", "pode", "czy", "mag een")  # fmt: skip
