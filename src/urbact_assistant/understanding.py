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
JOIN_STEMS = (
    "join", "apply", "applic", "applying", "call", "eligib", "particip", "deadline", "cofinanc",
    "co financ", "take part", "become a partner", "lead partner rules", "how can my city",
    "rejoindre", "adherer", "candidat", "appel", "postul", "inscri", "beitret", "teilnehm",
    "bewerb", "aufruf", "ausschreib", "forderfah", "mitmach", "aderir", "partecip", "bando",
    "bandi", "ammissib", "unirse", "unir", "solicit", "convocator", "elegib", "dolacz",
    "przystap", "wniosek", "nabor", "zaprosz", "uczestn", "kwalifik", "concurso", "deelne",
    "aansluit", "aanvra", "oproep", "subsidiab", "meedoen", "inschrijv",
)  # fmt: skip
STATUS_STEMS: dict[str, tuple[str, ...]] = {
    "ongoing": (
        "ongoing", "current", "active", "running", "en cours", "actuel", "actifs", "actives",
        "laufend", "aktuell", "aktive", "derzeit", "in corso", "attivi", "attive", "attual",
        "en curso", "activos", "activas", "vigente", "trwaj", "aktywn", "obecn", "biezac",
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
PARTICIPATION_STEMS = (
    "network", "urbact", "partner", "member", "involved", "particip", "take part", "takes part",
    "project", "cooperat", "reseau", "partenaire", "membre", "netzwerk", "beteiligt", "mitglied",
    "nimmt", "rete", "reti", "coinvolt", "membro", "red", "redes", "socio", "miembro", "siec",
    "sieci", "uczestnicz", "czlon", "rede", "parceir", "netwerk", "deelnem", "doet mee", "lid",
    "projet", "projekt", "progett", "proyecto", "projeto", "leads", "lead",
)  # fmt: skip
NETWORK_WORDS = ("network", "reseau", "netzwerk", "netzwerke", "rete", "reti", "red", "redes", "rede", "siec", "sieci", "netwerk", "netwerken")  # fmt: skip
# Single-word names that are also everyday words: they match only as typed in the card
# (``ROOF``) or right next to a word for "network".
COMMON_WORDS = frozenset(
    "maps roof cope change spark refill procure active vital nice bath echo re gen call parks "
    "on board".split()
)
EXONYMS = {
    "munich": "munchen", "munchen": "munich", "turin": "torino", "torino": "turin",
    "rome": "roma", "roma": "rome", "milan": "milano", "milano": "milan", "naples": "napoli",
    "napoli": "naples", "florence": "firenze", "firenze": "florence", "venice": "venezia",
    "venezia": "venice", "genoa": "genova", "genova": "genoa", "lisbon": "lisboa",
    "lisboa": "lisbon", "warsaw": "warszawa", "warszawa": "warsaw", "cracow": "krakow",
    "krakow": "cracow", "brussels": "bruxelles", "bruxelles": "brussels", "antwerp": "antwerpen",
    "antwerpen": "antwerp", "ghent": "gent", "gent": "ghent", "the hague": "den haag",
    "den haag": "the hague", "cologne": "koln", "koln": "cologne", "prague": "praha",
    "praha": "prague", "athens": "athina", "athina": "athens", "bucharest": "bucuresti",
    "bucuresti": "bucharest", "copenhagen": "kobenhavn", "kobenhavn": "copenhagen",
    "gothenburg": "goteborg", "goteborg": "gothenburg", "seville": "sevilla", "sevilla": "seville",
    "saragossa": "zaragoza", "zaragoza": "saragossa", "vienna": "wien", "wien": "vienna",
    "piraeus": "pireas", "pireas": "piraeus", "thessaloniki": "salonica", "heraklion": "iraklio",
    "iraklio": "heraklion", "kiev": "kyiv", "kyiv": "kiev", "lviv": "lvov", "lvov": "lviv",
}  # fmt: skip


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


@dataclass
class Entities:
    """Folded names of networks, cities and countries found in the corpus."""

    networks: dict[str, str] = field(default_factory=dict)  # folded name -> slug
    exact: dict[str, str] = field(default_factory=dict)  # name as written -> slug (common words)
    cities: dict[str, set[str]] = field(default_factory=dict)  # folded city -> slugs
    city_names: dict[str, str] = field(default_factory=dict)  # folded city -> display name

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
        for key in list(ents.cities):
            other = EXONYMS.get(key)
            if other and other not in ents.cities:
                ents.cities[other] = ents.cities[key]
                ents.city_names[other] = ents.city_names[key]
        return ents


def _name_variants(name: str) -> list[str]:
    """``PUMA (Planning Urban Mobility Actions)`` → ``PUMA``, ``Planning Urban Mobility Actions``."""
    match = re.match(r"^(.*?)\s*\((.+)\)\s*$", name)
    return [match.group(1), match.group(2)] if match else []


@cache
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


def understand(question: str, ents: Entities) -> Query:
    """Classify a question and extract its filters."""
    folded_phrase = phrase(question)
    folded = fold(question)
    networks = [ents.networks[k] for k in find_phrases(folded_phrase, ents.networks)]
    for name, slug in ents.exact.items():
        near_network = re.search(
            rf"\b{re.escape(fold(name))}\s+(?:{'|'.join(NETWORK_WORDS)})\b|\b(?:{'|'.join(NETWORK_WORDS)})\s+{re.escape(fold(name))}\b",
            folded,
        )
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", question) or near_network:
            networks.append(slug)
    networks = list(dict.fromkeys(networks))
    remaining = folded_phrase
    for slug in networks:  # a network's name is not also a city mention ("Cities@Heart")
        for key, value in ents.networks.items():
            if value == slug:
                remaining = remaining.replace(f" {key} ", " ")
    cities = find_phrases(remaining, ents.cities)
    country_keys = find_phrases(remaining, _country_names())
    countries = [_country_names()[key] for key in country_keys]
    for key in cities + country_keys:
        remaining = remaining.replace(f" {key} ", " ")
    status = next((s for s, stems in STATUS_STEMS.items() if _has_stem(folded, stems)), None)
    net_type = next((t for t, stems in TYPE_STEMS.items() if _has_stem(folded_phrase, stems)), None)
    programme = next(
        (p for p, pat in PROGRAMME_PATTERNS.items() if re.search(pat, folded_phrase)), None
    )
    if networks:
        kind: Kind = "network"
    elif _has_stem(folded_phrase, JOIN_STEMS):
        kind = "join"
    elif cities and (_has_stem(folded_phrase, PARTICIPATION_STEMS) or len(tokens(question)) <= 3):
        kind = "city"
    else:
        kind = "topic"
    return Query(
        text=question,
        kind=kind,
        networks=tuple(networks),
        cities=tuple(ents.city_names[c] for c in cities),
        countries=tuple(dict.fromkeys(countries)),
        status=status,
        type=net_type,
        programme=programme,
        city_slugs={ents.city_names[c]: tuple(sorted(ents.cities[c])) for c in cities},
        topic=remaining.strip(),
    )


def matches_filters(card: NetworkCard, query: Query, today) -> bool:  # noqa: ANN001
    """Whether a network satisfies the status/type/programme/country filters of the query."""
    if query.status and card.status(today) != query.status:
        return False
    if query.type and card.type != query.type:
        return False
    if query.programme and card.programme != query.programme:
        return False
    return not (query.countries and not set(query.countries) & set(card.countries))
