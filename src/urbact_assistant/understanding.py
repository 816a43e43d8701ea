"""Understand a question without an LLM: its kind, the networks, cities and countries it names,
and the filters it implies (status, type, programme, country), in the main EU languages.

Everything here is pure: the entity tables are built from the corpus, and matching works on
accent- and case-folded text (``Nyiregyhaza`` = ``Nyíregyháza``, ``Munich`` = ``München``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from .corpus import Corpus
from .models import NetworkCard
from .text import fold, phrase, tokens

Kind = Literal["network", "city", "join", "topic", "out_of_scope"]

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
    "join", "particip", "take part", "takes part", "taking part", "rejoindre", "adherer",
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
# Programme concepts that describe networks rather than ask about joining: "transfer networks
# on food", "networks that produced Integrated Action Plans on housing" are topic questions.
SOFT_PROGRAMME_CONCEPTS = {"transfer-networks", "action-planning-networks", "innovation-transfer-networks", "action-networks", "implementation-networks", "thematic-networks-past", "integrated-action-plan", "good-practice", "urbact-local-group", "transfer-plan", "investment-plan", "urbact-method", "lead-partner"}  # fmt: skip
TYPE_STEMS: dict[str, tuple[str, ...]] = {
    "innovation-transfer": ("innovation transfer", "itn", "itns", "uia transfer", "transfert d innovation", "trasferimento dell innovazione", "transferencia de innovacion"),
    "action-planning": ("action planning", "apn", "apns", "planification", "aktionsplanung", "pianificazione", "planificacion", "planowania", "planeamento", "actieplanning"),
    "transfer": ("transfer network", "transfer networks", "transfert", "transfernetzwerk", "trasferimento", "transferencia", "transferow", "transferencia", "transfernetwerk", "tn", "tns"),
    "action": ("action network", "action networks", "reseaux d action", "aktionsnetzwerk", "reti d azione", "redes de accion", "sieci dzialan", "actienetwerk"),
    "implementation": ("implementation", "mise en oeuvre", "umsetzung", "attuazione", "implementacion", "wdrazani", "implementacao", "uitvoering"),
    "pilot": ("pilot network", "pilot networks", "reseau pilote", "reseaux pilotes", "pilotnetzwerk", "rete pilota", "reti pilota", "red piloto", "redes piloto"),
    "thematic": ("thematic", "thematique", "thematisch", "tematic"),
}  # fmt: skip
PROGRAMME_PATTERNS = {
    "URBACT IV": r"\burbact (iv|4)\b",
    "URBACT III": r"\burbact (iii|3)\b",
    "URBACT II": r"\burbact (ii|2)\b",
}
# Words that show a question is about participation in URBACT, so that a city name in
# "is Tartu in a network?" is read as a city question but "weather in Paris" is not.
PARTICIPATION_STEMS = JOIN_WEAK + (
    "network", "urbact", "partner", "member", "involved",
    "project", "cooperat", "reseau", "partenaire", "membre", "netzwerk", "beteiligt", "mitglied",
    "nimmt", "rete", "reti", "coinvolt", "membro", "red", "redes", "socio", "miembro", "siec",
    "sieci", "uczestnicz", "czlon", "rede", "parceir", "netwerk", "deelnem", "doet mee", "lid",
    "projet", "projekt", "progett", "proyecto", "projeto", "leads", "lead", "natverk",
    "dikty", "mrez", "retea", "retel", "halozat",
)  # fmt: skip
# "Is X in a network?" in the main languages: a preposition shortly before a word for network.
IN_WORDS = ("in", "im", "en", "w", "we", "a", "ad", "em", "no", "na", "aan", "bij", "nel", "nella", "dans", "di", "do", "da", "med", "se", "u", "v", "ve")  # fmt: skip
MEMBER_STEMS = ("member", "partner", "involved", "membre", "partenaire", "mitglied", "beteiligt", "membro", "socio", "miembro", "czlon", "parceir", "lid van", "deel van")  # fmt: skip
NETWORK_WORDS = ("network", "networks", "reseau", "reseaux", "netzwerk", "netzwerke", "rete", "reti", "red", "redes", "rede", "siec", "sieci", "netwerk", "netwerken", "natverk", "diktyo", "diktya", "mreza", "mreze", "retea", "retele", "halozat")  # fmt: skip
# Single-word names that are also everyday words: they match only as typed in the card
# (``ROOF``) or right next to a word for "network".
COMMON_WORDS = frozenset(
    "maps roof cope change spark refill procure active vital nice bath echo re gen call parks "
    "on board".split()
)


@dataclass(frozen=True)
class Query:
    """What the question asks for, before retrieval."""

    text: str
    kind: Kind
    networks: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    status: str | None = None
    type: str | None = None
    programme: str | None = None
    city_slugs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    topic: str = ""
    """The folded question without the names of networks, cities and countries it mentions."""
    concepts: tuple[str, ...] = ()
    """Thesaurus concepts recognised in the question (any language)."""
    expansion: str = ""
    """English keywords of those concepts, added to lexical and dense search."""
    filter_only: bool = False
    """True when the question is only filters ("ongoing networks in Poland")."""
    content: tuple[str, ...] = ()
    """The question's topic words (folded), without stop words, filters and names."""
    intents: tuple[str, ...] = ()
    """For programme questions: ``call``, ``join``, ``eligibility``, ``nup`` (what is asked)."""

    def __hash__(self) -> int:
        return hash((self.text, self.kind))


@dataclass
class Entities:
    """Folded names of networks and cities in the corpus, and the words it uses."""

    networks: dict[str, str] = field(default_factory=dict)  # folded name -> slug
    exact: dict[str, str] = field(default_factory=dict)  # name as written -> slug (common words)
    cities: dict[str, set[str]] = field(default_factory=dict)  # folded city -> slugs
    city_names: dict[str, str] = field(default_factory=dict)  # folded city -> display name
    vocabulary: set[str] = field(default_factory=set)  # folded tokens of every card
    lexicon: Lexicon = field(default_factory=lambda: Lexicon.load())

    @classmethod
    def from_corpus(cls, corpus: Corpus) -> Entities:
        ents = cls()
        for card in corpus.networks:
            for name in (card.name, *card.aliases, *_name_variants(card.name)):
                key = " ".join(tokens(name))
                if not key:
                    continue
                if key in COMMON_WORDS:
                    ents.exact[name.strip()] = card.slug
                else:
                    ents.networks.setdefault(key, card.slug)
            for party in card.members:
                for name in {party.place, party.name}:
                    key = " ".join(tokens(name))
                    if key and key not in COMMON_WORDS:
                        ents.cities.setdefault(key, set()).add(card.slug)
                        ents.city_names.setdefault(key, party.place)
        for card in corpus.cards:
            ents.vocabulary.update(tokens(f"{card.title} {' '.join(card.aliases)} {card.body}"))
            if isinstance(card, NetworkCard):
                ents.vocabulary.update(tokens(" ".join(card.themes)))
        ents._add_exonyms()
        return ents

    def _add_exonyms(self) -> None:
        for canonical, variants in load_data("exonyms").items():
            keys = [" ".join(tokens(n)) for n in (canonical, *variants)]
            known = next((k for k in keys if k in self.cities), None)
            if known is None:
                continue
            for key in keys:
                if key and key not in self.cities:
                    self.cities[key] = self.cities[known]
                    self.city_names[key] = self.city_names[known]


@cache
def load_data(name: str) -> dict:
    """A YAML file from the package's ``data`` folder (empty when absent)."""
    from importlib.resources import files

    import yaml

    resource = files(__package__).joinpath("data", f"{name}.yaml")
    if not resource.is_file():
        return {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster
    return yaml.load(resource.read_text(encoding="utf-8"), Loader=loader) or {}  # noqa: S506


@dataclass(frozen=True)
class Concept:
    id: str
    kind: str
    english: tuple[str, ...]


Thesaurus = dict[str, list[tuple[tuple[str, ...], Concept]]]


@dataclass(frozen=True)
class Lexicon:
    """The language tables questions are read with: the thesaurus, nationality adjectives,
    country names and stop words (built from the package's data files)."""

    thesaurus: Thesaurus
    demonyms: tuple[tuple[str, str], ...]
    countries: dict[str, str]
    stop_words: frozenset[str]

    @staticmethod
    @cache
    def load() -> Lexicon:
        from .lexical import stop_words

        return Lexicon(_thesaurus(), _demonym_stems(), _country_names(), stop_words())


def _thesaurus() -> Thesaurus:
    """Terms indexed by the first three letters of their first word."""
    index: Thesaurus = {}
    for cid, entry in load_data("thesaurus").items():
        if not isinstance(entry, dict):
            continue
        concept = Concept(cid, str(entry.get("kind", "topic")), tuple(entry.get("en") or ()))
        for lang, terms in entry.items():
            if lang == "kind" or not isinstance(terms, list):
                continue
            for term in terms:
                words = tuple(tokens(str(term)))
                if words and len(words[0]) >= 3:
                    index.setdefault(words[0][:3], []).append((words, concept))
    return index


def find_concepts(question_tokens: list[str], index: Thesaurus) -> list[Concept]:
    """Concepts whose terms occur in the question: each term word a prefix of consecutive words."""
    spans: list[tuple[int, int, Concept]] = []
    for i, token in enumerate(question_tokens):
        for words, concept in index.get(token[:3], ()):
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


def _name_variants(name: str) -> list[str]:
    """``PUMA (Planning Urban Mobility Actions)`` → ``PUMA``, ``Planning Urban Mobility Actions``."""
    match = re.match(r"^(.*?)\s*\((.+)\)\s*$", name)
    return [match.group(1), match.group(2)] if match else []


def _country_names() -> dict[str, str]:
    """Folded country names in EN, FR, DE, IT, ES, PL, PT, NL → ISO code."""
    import gettext

    import pycountry

    names: dict[str, str] = {}
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in ("fr", "de", "it", "es", "pl", "pt", "nl")
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
    stems = [
        (" ".join(tokens(str(stem))), code)
        for code, values in load_data("demonyms").items()
        for stem in values
    ]
    return tuple(sorted(stems, key=lambda s: -len(s[0])))


def _demonym(word: str, stems: tuple[tuple[str, str], ...]) -> str | None:
    """``polskich`` → ``PL``, ``ukrainienne`` → ``UA``: adjectives of nationality."""
    return next((code for stem, code in stems if word.startswith(stem)), None)


def _has_stem(folded: str, stems: tuple[str, ...]) -> bool:
    for stem in stems:
        if " " in stem:
            if f" {stem}" in folded:
                return True
        elif re.search(rf"\b{re.escape(stem)}", folded):
            return True
    return False


def find_phrases(question_phrase: str, table: dict[str, object]) -> list[str]:
    """Keys of ``table`` that occur as whole words in the question, longest first, no overlaps."""
    found: list[str] = []
    taken = question_phrase
    for key in sorted(table, key=len, reverse=True):
        if f" {key} " in taken:
            found.append(key)
            taken = taken.replace(f" {key} ", " \0 ")
    return found


def _named_networks(question: str, folded_phrase: str, ents: Entities) -> list[str]:
    folded = fold(question)
    networks = [ents.networks[k] for k in find_phrases(folded_phrase, ents.networks)]
    words = "|".join(NETWORK_WORDS)
    for name, slug in ents.exact.items():
        near = (
            rf"\b{re.escape(fold(name))}\s+(?:{words})\b|\b(?:{words})\s+{re.escape(fold(name))}\b"
        )
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", question) or re.search(near, folded):
            networks.append(slug)
    return list(dict.fromkeys(networks))


def _fuzzy_cities(words: list[str], ents: Entities) -> dict[str, str]:
    """Unknown long words that are close to a city key ("rethymnon" → "rethymno")."""
    from rapidfuzz import fuzz, process

    singles = [k for k in ents.cities if " " not in k and len(k) >= 5]
    found = {}
    for word in words:
        if len(word) >= 6 and word not in ents.vocabulary:
            match = process.extractOne(word, singles, scorer=fuzz.ratio, score_cutoff=87)
            if match:
                found[word] = match[0]
    return found


def understand(question: str, ents: Entities) -> Query:
    """Classify a question and extract its filters and concepts."""
    lex = ents.lexicon
    folded_phrase = phrase(question)
    folded = fold(question)
    networks = _named_networks(question, folded_phrase, ents)
    remaining = folded_phrase
    for slug in networks:  # a network's name is not also a city mention ("Cities@Heart")
        for key, value in ents.networks.items():
            if value == slug:
                remaining = remaining.replace(f" {key} ", " ")
    cities = find_phrases(remaining, ents.cities)
    country_keys = find_phrases(remaining, lex.countries)
    countries = [lex.countries[key] for key in country_keys]
    for key in cities + country_keys:
        remaining = remaining.replace(f" {key} ", " ")
    for word in remaining.split():
        if code := _demonym(word, lex.demonyms):
            countries.append(code)
            remaining = remaining.replace(f" {word} ", " ")
    status = next((s for s, stems in STATUS_STEMS.items() if _has_stem(folded, stems)), None)
    clear = tuple(s for s in STATUS_STEMS["ongoing"] if s not in AMBIGUOUS_ONGOING)
    if status == "ongoing" and not _has_stem(folded, clear):
        # "active" alone is a topic ("active ageing"); next to "network" it is a status.
        ambiguous, nets = "|".join(AMBIGUOUS_ONGOING), "|".join(NETWORK_WORDS)
        near = rf"\b(?:{ambiguous})\w*\s+(?:\w+\s+)?(?:{nets})\b|\b(?:{nets})\s+(?:\w+\s+)?(?:{ambiguous})"
        status = "ongoing" if re.search(near, folded_phrase) else None
    net_type = next((t for t, stems in TYPE_STEMS.items() if _has_stem(folded_phrase, stems)), None)
    programme = next(
        (p for p, pat in PROGRAMME_PATTERNS.items() if re.search(pat, folded_phrase)), None
    )
    concepts = find_concepts(remaining.split(), lex.thesaurus)
    # A network type ("transfer networks") is a filter when the question has a topic, and a
    # question about the programme when it has none ("what is a transfer network?").
    topical = any(c.kind == "topic" for c in concepts) or bool(
        status
        or cities
        or country_keys
        or _has_stem(folded_phrase, ("which network", "what network"))
    )
    strong_join = _has_stem(folded_phrase, JOIN_STRONG) or any(
        c.kind == "programme" and not (topical and c.id in SOFT_PROGRAMME_CONCEPTS)
        for c in concepts
    )
    participation = _has_stem(folded_phrase, PARTICIPATION_STEMS)
    # With a city named, "has Munich joined a network?" asks about the city, not about joining.
    city_join = _has_stem(folded_phrase, JOIN_STRONG) or any(
        c.kind == "programme" and c.id not in SOFT_PROGRAMME_CONCEPTS | {"how-to-join"}
        for c in concepts
    )
    # Words that are neither stop words, nor filters, nor participation words: the topic.
    for stems in (*STATUS_STEMS.values(), *TYPE_STEMS.values()):
        for stem in stems:
            if " " in stem:  # "en marcha", "in corso": phrases, not topic words
                remaining = re.sub(rf" {re.escape(stem)}\w* ", " ", remaining)
    content = [
        w for w in remaining.split()
        if w not in lex.stop_words and len(w) > 1 and not _has_stem(f" {w} ", PARTICIPATION_STEMS + JOIN_STRONG)
        and not any(_has_stem(f" {w} ", stems) for stems in STATUS_STEMS.values())
        and not any(_has_stem(f" {w} ", stems) for stems in TYPE_STEMS.values())
        and w not in ("urbact", "iv", "iii", "ii")
    ]  # fmt: skip
    if not cities and participation and not strong_join:
        close = _fuzzy_cities(content, ents)
        cities = list(dict.fromkeys(close.values()))
        content = [w for w in content if w not in close]
    unknown = [
        w for w in content if w not in ents.vocabulary and not find_concepts([w], lex.thesaurus)
    ]
    # Only proper-noun-like words can be an unknown place ("Is Tampere in a network?"):
    # lower-case unknown words are topic words in a language the cards are not written in.
    capitalised = {fold(w) for w in re.findall(r"\w+", question) if w[:1].isupper()}
    place_like = bool(unknown) and len(unknown) == len(content) <= 3 and set(unknown) <= capitalised
    membership = _has_stem(folded_phrase, JOIN_WEAK + MEMBER_STEMS) or bool(
        re.search(
            rf"\b(?:{'|'.join(IN_WORDS)})\s+(?:\w+\s+){{0,3}}(?:{'|'.join(NETWORK_WORDS)})\b",
            folded_phrase,
        )
    )
    mentions_other = _has_stem(folded_phrase, OTHER_PROGRAMMES) or bool(
        re.search(r"\bLIFE\b", question)
    )
    if (mentions_other and "urbact" not in folded_phrase) or _has_stem(folded_phrase, INJECTION):
        kind: Kind = "out_of_scope"
    elif networks:
        kind = "network"
    elif cities and (participation or len(tokens(question)) <= 3) and not city_join:
        kind = "city"
    elif membership and place_like:
        kind = "city"  # "is Tampere in a network?": a place the corpus does not know
    elif strong_join or _has_stem(folded_phrase, JOIN_WEAK):
        kind = "join"
    else:
        kind = "topic"
    unknown_names = tuple(w.capitalize() for w in unknown) if kind == "city" and not cities else ()
    english = [term for c in concepts for term in c.english[:6]]
    return Query(
        text=question,
        kind=kind,
        networks=tuple(networks),
        cities=tuple(ents.city_names[c] for c in cities) + unknown_names,
        countries=tuple(dict.fromkeys(countries)),
        status=status,
        type=net_type,
        programme=programme,
        city_slugs={ents.city_names[c]: tuple(sorted(ents.cities[c])) for c in cities},
        topic=remaining.strip(),
        concepts=tuple(c.id for c in concepts),
        expansion=", ".join(dict.fromkeys(english)),
        filter_only=bool(status or net_type or programme or countries) and not content,
        content=tuple(content),
        intents=_intents(folded_phrase, concepts),
    )


FOLLOW_UP = re.compile(
    r"^\s*(?:and|also|what about|how about|et|aussi|und|auch|e|anche|y|tambien|también|i|oraz|"
    r"a co z|e quanto|en|ook)\b",
    re.IGNORECASE,
)


def _intents(folded_phrase: str, concepts: list[Concept]) -> tuple[str, ...]:
    ids = {c.id for c in concepts}
    intents = []
    if "call-for-proposals" in ids or _has_stem(folded_phrase, CALL_STEMS):
        intents.append("call")
    if "how-to-join" in ids or _has_stem(folded_phrase, JOIN_WEAK):
        intents.append("join")
    if ids & {"eligibility", "co-financing-budget"} or _has_stem(folded_phrase, ELIGIBILITY_STEMS):
        intents.append("eligibility")
    if ids & {"national-urbact-point", "secretariat-contact"}:
        intents.append("nup")
    return tuple(intents)


CALL_STEMS = ("call", "deadline", "appel", "aufruf", "ausschreib", "bando", "bandi", "convocator", "nabor", "oproep", "concurso", "candidatur", "when", "quand", "wann", "quando", "cuando", "kiedy", "wanneer")  # fmt: skip
ELIGIBILITY_STEMS = ("eligib", "can a", "may a", "who can", "ammissib", "elegib", "kwalifik", "subsidiab", "forderfah", "peut", "kann ", "puo", "puede", "pode", "czy", "mag een")  # fmt: skip


def standalone_question(question: str, previous: str | None, ents: Entities) -> str:
    """A follow-up ("and which of them are in Spain?") read together with the previous question.

    A question that names nothing of its own (no network, city or topic words) or opens like a
    continuation is joined to the previous standalone question; any other question stands alone.
    """
    if not previous:
        return question
    query = understand(question, ents)
    if query.networks or query.cities or query.kind in ("join", "out_of_scope"):
        return question
    if not query.content or FOLLOW_UP.match(question):
        return f"{previous} {question}"
    return question


def matches_filters(card: NetworkCard, query: Query, today) -> bool:  # noqa: ANN001
    """Whether a network satisfies the status/type/programme/country filters of the query."""
    if query.status and card.status(today) != query.status:
        return False
    if query.type and card.type != query.type:
        return False
    if query.programme and card.programme != query.programme:
        return False
    return not (query.countries and not set(query.countries) & set(card.countries))
