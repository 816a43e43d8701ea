"""Understand a question without an LLM: its kind, the networks, cities and countries it names,
and the filters it implies (status, type, programme, country), in every EU language (the
language tables are in ``lexicon``).

Everything here is pure: the entity tables are built from the corpus, and matching works on
accent- and case-folded text (``Nyiregyhaza`` = ``Nyíregyháza``, ``Munich`` = ``München``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from urbact_assistant.core.models import Kind, NetworkCard, Query
from urbact_assistant.core.text import fold, phrase, skeleton, tokens
from urbact_assistant.knowledge.corpus import Corpus
from urbact_assistant.knowledge.countries import EU27, FORMER_EU_MEMBERS
from urbact_assistant.knowledge.places import other_names, without_unit
from urbact_assistant.understanding.language import detect, place_languages
from urbact_assistant.understanding.lexicon import (
    ASK_KINDS,
    ASKER_KINDS,
    CONTACT_CONCEPTS,
    FOLLOW_UP_KINDS,
    NOT_TOPIC_KINDS,
    WEAK_PROGRAMME,
    Concept,
    Lexicon,
    StemGroup,
    View,
    concept_spans,
    demonym,
    find_concepts,
    follows_on,
    inflected_country,
    is_everyday_word,
    load_data,
    small_talk,
)

# Programme concepts that describe networks rather than ask about joining: "transfer networks
# on food", "networks that produced Integrated Action Plans on housing" are topic questions.
SOFT_PROGRAMME_CONCEPTS = {"network-types", "transfer-networks", "action-planning-networks", "innovation-transfer-networks", "action-networks", "implementation-networks", "thematic-networks-past", "integrated-action-plan", "good-practice", "urbact-local-group", "transfer-plan", "investment-plan", "urbact-method", "lead-partner"}  # fmt: skip
# Topics that say who asks ("a small town", "a residents' association"), not what about
ASKER_CONCEPTS = {"lead-partner", "small-towns", "ngos-civil-society"}
PROGRAMME_PATTERNS = {
    "URBACT IV": r"\burbact (iv|4)\b",
    "URBACT III": r"\burbact (iii|3)\b",
    "URBACT II": r"\burbact (ii|2)\b",
}
# Single-word names that are also everyday words: they match only as typed in the card
# (``ROOF``) or right next to a word for "network".
COMMON_WORDS = frozenset(
    "maps roof cope change spark refill procure active vital nice bath echo re gen call parks "
    "on board access cash communities hero links movement once prevent restart small sure urge "
    "user mile mast unidas".split()
)  # network names that are everyday words (in English, or "once", "unidas" in Spanish)


@dataclass
class Entities:
    """Folded names of networks and cities in the corpus, and the words it uses."""

    networks: dict[str, str] = field(default_factory=dict)  # folded name -> slug
    exact: dict[str, str] = field(default_factory=dict)  # name as written -> slug (common words)
    as_written: set[str] = field(default_factory=set)  # of those, never next to "network" alone
    cities: dict[str, set[str]] = field(default_factory=dict)  # folded city -> slugs
    city_names: dict[str, str] = field(default_factory=dict)  # folded city -> display name
    city_countries: dict[str, str] = field(default_factory=dict)  # folded city -> country
    vocabulary: set[str] = field(default_factory=set)  # folded tokens of every card
    typed_names: set[str] = field(default_factory=set)  # city keys that need a capital letter
    lexicon: Lexicon = field(default_factory=lambda: Lexicon.load())

    @cached_property
    def name_words(self) -> frozenset[str]:
        """Folded words of network and city names: they say nothing about a language, except
        the languages' own small words ("The lead partner of …" stays English); and the names
        of several words whole ("Cities After Dark")."""
        cities = (key for key in self.cities if key not in self.typed_names)  # not GeoNames'
        small = self.lexicon.stop_words
        keys = (*cities, *self.networks)
        whole = {key for key in keys if " " in key}
        return frozenset(w for key in keys for w in key.split() if w not in small) | whole

    def language(self, question: str, hint: str | None = None) -> str:
        """The question's language, knowing the names and places of the cards."""
        places = place_languages(question, self.city_countries)
        return detect(question, self.name_words, hint, places)

    @cached_property
    def guessable_cities(self) -> tuple[list[str], dict[str, str]]:
        """One-word city keys a misspelling may be matched to (not GeoNames' names: too many
        to guess at), and their skeletons."""
        singles = [
            k for k in self.cities if " " not in k and len(k) >= 5 and k not in self.typed_names
        ]
        return singles, {skeleton(k): k for k in sorted(singles, key=len)}

    @cached_property
    def long_network_names(self) -> dict[int, list[str]]:
        """Network keys of several words and 12+ letters, by word count: the names a typo
        may be matched to."""
        by_size: dict[int, list[str]] = {}
        for key in self.networks:
            if len(key) >= 12 and " " in key:
                by_size.setdefault(len(key.split()), []).append(key)
        return by_size

    @cached_property
    def topics(self) -> frozenset[str]:
        """Ids of the thesaurus's topic concepts (not programme ones: "call", "join")."""
        return frozenset(
            concept.id
            for entries in self.lexicon.thesaurus.values()
            for _, concept, _ in entries
            if concept.kind == "topic"
        )

    @classmethod
    def from_corpus(cls, corpus: Corpus) -> Entities:
        ents = cls()
        for card in corpus.networks:
            for name in (card.name, *card.aliases, *_name_variants(card.name)):
                key = " ".join(tokens(name))
                if not key:
                    continue
                # "AS TRANSFER" is the network only as written: "como funcionam as Transfer
                # Networks?" names none (a name that starts with a language's small word)
                first = name.strip().split(" ")[0]
                small_first = (
                    len(first) <= 3 and fold(first) in ents.lexicon.common and name.isupper()
                    and " " in name.strip()
                )  # fmt: skip
                if small_first:
                    ents.as_written.add(name.strip())
                if key in COMMON_WORDS or small_first:
                    ents.exact[name.strip()] = card.slug
                else:
                    ents.networks.setdefault(key, card.slug)
            for party in card.members:
                for name in {party.place, party.name, without_unit(party.place)}:
                    key = " ".join(tokens(name))
                    if key and key not in COMMON_WORDS:
                        ents.cities.setdefault(key, set()).add(card.slug)
                        ents.city_names.setdefault(key, party.place)
                        ents.city_countries.setdefault(key, party.country)
        for any_card in corpus.cards:
            ents.vocabulary.update(
                tokens(f"{any_card.title} {' '.join(any_card.aliases)} {any_card.body}")
            )
            if isinstance(any_card, NetworkCard):
                ents.vocabulary.update(tokens(" ".join(any_card.themes)))
        ents._add_exonyms()
        ents._add_other_names(corpus)
        return ents

    def _add_exonyms(self) -> None:
        """Every spelling of a place finds the networks of all of them ("Torino" and "Turin",
        "Den Bosch" and "'s-Hertogenbosch" as different cards write them)."""
        for canonical, variants in load_data("exonyms").items():
            keys = [k for n in (canonical, *variants) if (k := " ".join(tokens(n)))]
            known = [k for k in keys if k in self.cities]
            if not known:
                continue
            slugs = set().union(*(self.cities[k] for k in known))
            name = self.city_names[known[0]]
            for key in keys:
                self.cities[key] = slugs
                self.city_names.setdefault(key, name)

    def _add_other_names(self, corpus: Corpus) -> None:
        """GeoNames' names of the cards' cities in other languages ("Wien", "Kowno"), unless
        a language uses the word for something else; they count only when typed with a
        capital letter (see ``typed_names``)."""
        places = {(p.place, p.country) for card in corpus.networks for p in card.members}
        everyday = self.lexicon.stop_words
        languages = frozenset(self.lexicon.languages)  # the main ones' terms always apply
        for place, names in other_names(places).items():
            known = self.cities.get(key := " ".join(tokens(place)))
            if known is None:
                continue
            for name in names:
                other = " ".join(tokens(name))
                if (
                    other in self.cities
                    or other in self.networks
                    or is_everyday_word(other, self.lexicon.thesaurus, languages, everyday)
                ):
                    continue
                self.cities[other] = known
                self.city_names[other] = self.city_names[key]
                self.typed_names.add(other)


def _name_variants(name: str) -> list[str]:
    """``PUMA (Planning Urban Mobility Actions)`` → ``PUMA``, ``Planning Urban Mobility Actions``."""
    match = re.match(r"^(.*?)\s*\((.+)\)\s*$", name)
    return [match.group(1), match.group(2)] if match else []


def find_phrases(question_phrase: str, table: Mapping[str, object]) -> list[str]:
    """Keys of ``table`` that occur as whole words in the question, longest first, no overlaps."""
    found: list[str] = []
    taken = question_phrase
    for key in sorted(table, key=len, reverse=True):
        if f" {key} " in taken:
            found.append(key)
            taken = taken.replace(f" {key} ", " \0 ")
    return found


def _named_networks(question: str, folded_phrase: str, ents: Entities, view: View) -> list[str]:
    """Networks named in the question. A name that is also an everyday word ("ROOF") counts
    only as the card writes it or right next to a word for "network"."""
    networks = [ents.networks[k] for k in find_phrases(folded_phrase, ents.networks)]
    words = folded_phrase.split()
    if not networks:
        networks = _misspelt_networks(words, ents)
    for name, slug in ents.exact.items():
        key = tokens(name)
        n = len(key)
        near = any(
            words[i : i + n] == key
            and (
                (i > 0 and words[i - 1] in view.network_words)
                or (i + n < len(words) and words[i + n] in view.network_words)
            )
            for i in range(len(words) - n + 1)
        )
        near = near and key != ["call"] and name not in ents.as_written
        if near or re.search(rf"(?<!\w){re.escape(name)}(?!\w)", question):
            # ("CALL" only as the card writes it: "the 2023 APN call" asks about a call)
            networks.append(slug)
    return list(dict.fromkeys(networks))


def _misspelt_networks(words: list[str], ents: Entities) -> list[str]:
    """A long network name with a typo ("Agents of Co-Existance"): a run of words that
    differs from it by a letter or two."""
    from rapidfuzz import fuzz, process

    found = []
    for size, keys in ents.long_network_names.items():
        for i in range(len(words) - size + 1):
            window = " ".join(words[i : i + size])
            match = process.extractOne(window, keys, scorer=fuzz.ratio, score_cutoff=92)
            if match:
                found.append(ents.networks[match[0]])
    return found


def _fuzzy_cities(words: list[str], ents: Entities, view: View) -> dict[str, str]:
    """Unknown long words that are close to a city key ("rethymnon" → "rethymno"), also after
    reducing both to their skeleton ("uzhitse" → "uzice"). Names from GeoNames are too many
    to guess at: they count only as typed."""
    from rapidfuzz import fuzz, process

    singles, skeletons = ents.guessable_cities
    found = {}
    for word in words:
        if (
            len(word) >= 6
            and word not in ents.vocabulary
            and not find_concepts([word], ents.lexicon.thesaurus, view.languages)  # "turism"
        ):
            match = process.extractOne(word, singles, scorer=fuzz.ratio, score_cutoff=87)
            if match:
                found[word] = match[0]
                continue
            if (key := skeletons.get(skeleton(word))) is not None:
                found[word] = key
    return found


def _typed_in_lower_case(key: str, question: str) -> bool:
    """Every occurrence of the (first word of the) name starts with a small letter."""
    first = key.split()[0]
    typed = [w for w in re.findall(r"\w+", question) if fold(w) == first]
    return bool(typed) and all(w[:1].islower() for w in typed)


def _inside_a_topic(key: str, folded: str, lex: Lexicon, view: View) -> bool:
    """A place name inside a longer topic term is part of the topic: "Roma inclusion"."""
    words, size = folded.split(), len(key.split())
    starts = [i for i in range(len(words) - size + 1) if words[i : i + size] == key.split()]
    spans = [
        (s, e)
        for s, e, c in concept_spans(words, lex.thesaurus, view.languages)
        if c.kind == "topic" and e - s > size
    ]
    return bool(starts) and all(any(s <= i and i + size <= e for s, e in spans) for i in starts)


def names_urbact_networks(words: set[str], view: View) -> bool:
    """The question says "URBACT" and a word for network: it stands on its own ("Has an Irish
    council ever led an URBACT network?"), it does not continue what was shown."""
    return "urbact" in words and bool(words & view.network_words)


def _country_name_words(countries: list[str], lex: Lexicon) -> set[str]:
    """The words of the names of the countries a question names ("republica", "republic")."""
    return {w for key, code in lex.countries.items() if code in countries for w in key.split()}


def _asks_for_themself(
    question: str,
    folded: str,
    remaining: str,
    cities: list[str],
    content: list[str],
    networks: list[str],
    concepts: list[Concept],
    view: View,
    unknown: list[str],
) -> bool:
    """A request for the asker's own life in a named place ("Dove posso parcheggiare a Bologna?"):
    nothing about URBACT, a network, taking part or a call. A pronoun once ("I", "mein") counts
    only when no topic is named either; two, or words of another subject, always do."""
    st = view.stems
    later_capitals = {fold(w) for w in re.findall(r"\w+", question)[1:] if w[:1].isupper()}
    place = bool(cities) or bool(set(content) & later_capitals)  # a name: "Tartus", "Qormi"
    if not place or networks or "urbact" in folded.split():
        return False
    named = set(folded.split()) & (view.network_words | view.city_words)
    # a call, joining, a contact point; not "whom do I contact"/"where do I report it" when
    # the asker speaks of their own errand ("Zgubiłem portfel w tramwaju w Gdańsku …")
    errand = st["me_asking"].search(folded)
    programme = any(
        c.kind == "programme" and not (errand and c.id in CONTACT_CONCEPTS) for c in concepts
    )
    if named or programme or st["participation"].search(remaining):  # a network, taking part
        return False
    if not concepts and len(set(unknown) - later_capitals) >= 2:
        return True  # "Ce farmacie e deschisă non-stop în Cluj?": words of another subject
    me = st["me"].position(folded)  # "Jag fick en parkeringsbot …, hur överklagar jag den?"
    twice = me is not None and st["me"].search(folded[me + 1 :])
    alone = me is not None and not any(c.kind == "topic" for c in concepts)
    return bool(st["me_asking"].search(folded) or twice or alone)


def _after_near(key: str, folded: str, view: View) -> bool:
    """The place follows a word for "near" ("near Cork", "край Габрово", "pod Krakowem")."""
    at = folded.find(f" {key} ")
    before = folded[:at].rstrip()
    return at >= 0 and any(
        before.endswith(f" {stem.strip()}") or before == stem.strip()
        for stem in view.stems["near"].stems
    )


def _everyday_word_in_lower_case(key: str, question: str, lex: Lexicon, view: View) -> bool:
    """A one-word place name typed in lower case that the question's language uses as an
    everyday word is that word: "porto-città" (the port), "como" (how); "Porto" stays a city."""
    return (
        " " not in key
        and _typed_in_lower_case(key, question)
        and is_everyday_word(key, lex.thesaurus, view.languages, view.stop_words)
    )


def _says_led_by(remaining: str, st: dict[str, StemGroup]) -> bool:
    """A "led by" filter, not the "quién la lidera?" of a question: ``ask_lead`` phrases are
    set aside first, except those that are "led by" phrases themselves ("geleid door")."""
    if not st["led_by"].search(remaining):
        return False
    filters = tuple(s.strip() for s in st["led_by"].stems)
    for stem in st["ask_lead"].stems:
        if " " in stem.strip() and not stem.startswith(filters):
            remaining = re.sub(rf" {re.escape(stem.strip())}\w* ", " ", remaining)
    return st["led_by"].search(remaining)


def understand(question: str, ents: Entities, language: str | None = None) -> Query:
    """Classify a question and extract its filters and concepts; ``language`` is the one
    the conversation settled on (a short turn's own words may not tell it)."""
    lex = ents.lexicon
    folded_phrase = phrase(question)
    view = lex.view(folded_phrase, language or ents.language(question))
    st = view.stems
    if talk := small_talk(question, folded_phrase, view):
        return Query(text=question, kind="out_of_scope", small_talk=talk)
    networks = _named_networks(question, folded_phrase, ents, view)
    remaining = folded_phrase
    for slug in networks:  # a network's name is not also a city mention ("Cities@Heart")
        for key, value in ents.networks.items():
            if value == slug:
                remaining = remaining.replace(f" {key} ", " ")
    cities = [
        key
        for key in find_phrases(remaining, ents.cities)
        if not _everyday_word_in_lower_case(key, question, lex, view)
        and not (key in ents.typed_names and _typed_in_lower_case(key, question))
        and not _inside_a_topic(key, remaining, lex, view)
    ]
    country_keys = [  # not "our island" (Iceland in Danish, German, Swedish)
        key
        for key in find_phrases(remaining, lex.countries)
        if not _everyday_word_in_lower_case(key, question, lex, view)
    ]
    countries = [lex.countries[key] for key in country_keys]
    if st["outside_eu"].search(remaining):  # "a partner from outside the EU"
        countries += sorted(set(ents.city_countries.values()) - EU27 - FORMER_EU_MEMBERS)
    for key in cities + country_keys:
        remaining = remaining.replace(f" {key} ", " ")
    for word in remaining.split():
        if code := demonym(word, view.demonyms) or inflected_country(
            word, lex.countries, ents.vocabulary, ents.cities
        ):
            countries.append(code)
            remaining = remaining.replace(f" {word} ", " ")
    # From here on, stems are looked for in the question without the names it mentions:
    # "Fundão" is not "fund", "Active Age" is not a status.
    status = next((s for s in ("ongoing", "ended", "upcoming") if st[s].search(remaining)), None)
    if status == "ongoing" and not view.clear_ongoing.search(remaining):
        # "active" alone is a topic ("active ageing"); next to "network" it is a status.
        status = "ongoing" if view.near_ongoing.search(remaining) else None
    elif status == "ended" and not view.clear_ended.search(remaining):
        # "anciennes casernes", "dawne koszary": former sites; "anciens réseaux": a status.
        status = "ended" if view.near_ended.search(remaining) else None
    elif status == "upcoming" and not view.clear_upcoming.search(remaining):
        # "os empregos do futuro", "the city of the future": a topic; "future networks": a status.
        status = "upcoming" if view.near_upcoming.search(remaining) else None
    # "Is it still running or has it ended?": yes or no answers the first one asked.
    where = {
        s: at
        for s in ("ongoing", "ended", "upcoming")
        if (at := st[s].position(remaining)) is not None
    }
    first_asked = min(where, key=where.__getitem__) if len(where) > 1 else None
    net_type = next((t for t, stems in view.types.items() if stems.search(remaining)), None)
    asks = tuple(kind[4:] for kind in ASK_KINDS if st[kind].search(remaining))
    if {"when", "status"} <= set(asks):  # "when did it finish?", "bis wann läuft es?": a date
        still = st["ask_status"].position(remaining)  # "still"/"läuft" after a "when" word
        if still is not None and st["ask_when"].search(remaining[:still]):
            asks = tuple(a for a in asks if a != "status")
    if first_asked and networks:
        status, asks = first_asked, (*asks, "status")
    personal = bool(st["personal"].search(remaining)) and not networks
    programme = next(
        (p for p, pat in PROGRAMME_PATTERNS.items() if re.search(pat, folded_phrase)), None
    )
    words_left = remaining.split()
    spans = concept_spans(words_left, lex.thesaurus, view.languages)
    concepts = list({c.id: c for _, _, c in spans}.values())
    # "… no sabe pedir cita médica por internet, ¿hay redes sobre brecha digital?": networks
    # asked about on a topic, not a personal errand
    about_networks = bool(set(remaining.split()) & view.network_words)
    if about_networks and any(c.kind == "topic" and c.id not in ASKER_CONCEPTS for c in concepts):
        personal = False
    if cities and any(c.kind == "topic" for c in concepts):
        # "a council near Cork … has URBACT done anything on local spending?": where the
        # asker is, not what is asked.
        cities = [k for k in cities if not _after_near(k, folded_phrase, view)]
    if "lead" not in asks and any(c.id == "lead-partner" for c in concepts):
        asks = (*asks, "lead")  # "partnerem wiodącym", "partenerul principal": the lead
    # Words that name a topic are not signs of joining: "buget participativ" is a topic,
    # "buget" alone asks about funding.
    covered = {i for s, e, c in spans if c.kind == "topic" for i in range(s, e)}
    beyond_topics = " " + " ".join(w for i, w in enumerate(words_left) if i not in covered) + " "
    # A network type ("transfer networks") is a filter when the question has a topic, and a
    # question about the programme when it has none ("what is a transfer network?").
    topical = any(c.kind == "topic" for c in concepts) or bool(
        status or cities or country_keys or WHICH_NETWORK.search(remaining)
    )
    # "How can a city …" asks about joining only when nothing else is asked ("how can a city
    # work with firms on CSR?" is a topic question).
    join_words = st["join_strong"].search(beyond_topics) or (
        st["join_how"].search(beyond_topics) and not any(c.kind == "topic" for c in concepts)
    )
    # "How to join" (often just a verb for taking part) is a weak sign, like "join" itself.
    strong_join = join_words or any(
        c.kind == "programme"
        and c.id != "how-to-join"
        and not (topical and c.id in SOFT_PROGRAMME_CONCEPTS)
        for c in concepts
    )
    # "Who can be lead partner of a Transfer Network?" asks a programme rule (the lead
    # partner is what is asked, not a topic).
    subject = any(c.kind == "topic" and c.id != "lead-partner" for c in concepts)
    rule_topical = topical and (
        subject or bool(status or cities or country_keys or WHICH_NETWORK.search(remaining))
    )
    strong_join = strong_join or bool(st["eligibility"].search(beyond_topics) and not rule_topical)
    weak_join = st["join_weak"].search(beyond_topics) or any(
        c.id == "how-to-join" for c in concepts
    )
    participation = st["participation"].search(remaining)
    # With a city named, "has Munich joined a network?" asks about the city, not about joining.
    city_join = join_words or any(
        c.kind == "programme" and c.id not in SOFT_PROGRAMME_CONCEPTS | {"how-to-join"}
        for c in concepts
    )
    # Words that are neither stop words, nor filters, nor participation words: the topic.
    # "¿cuál tiene un socio español y quién la lidera?": "who leads it" asks, it filters nothing
    led_by = bool(countries or cities) and (
        _says_led_by(remaining, st) or (bool(cities) and "lead" in asks)
    )
    membership = (
        st["join_weak"].search(remaining)
        or st["member"].search(remaining)
        or bool(view.in_network.search(folded_phrase))
    )
    # Phrases of status, type and taking part ("részt vesz", "take part") are not topic words.
    phrases = (
        st["ongoing"],
        st["ended"],
        st["upcoming"],
        st["led_by"],
        st["member"],
        st["join_weak"],
    )
    for stems in (*phrases, *view.types.values()):
        for stem in stems.stems:
            if " " in stem.strip():  # "en marcha", "in corso": phrases, not topic words
                remaining = re.sub(rf" {re.escape(stem.strip())}\w* ", " ", remaining)
    not_topic = [st[k] for k in NOT_TOPIC_KINDS]
    content = [
        w for w in remaining.split()
        if w not in view.stop_words and len(w) > 1 and w not in view.city_words
        and w not in view.network_words and w not in ("urbact", "iv", "iii", "ii")
        and not any(stems.search(f" {w} ") for stems in (*not_topic, *view.types.values()))
    ]  # fmt: skip
    if not cities and participation and not city_join:
        guessed = content
        # not "ménages" → Mengeš in a topic question, nor "centro" → Cento in a long one
        if any(c.kind == "topic" for c in concepts) or len(content) > 3:
            guessed = [w for w in content if not _typed_in_lower_case(w, question)]
        close = _fuzzy_cities(guessed, ents, view)
        cities = list(dict.fromkeys(close.values()))
        content = [w for w in content if w not in close]
    country_words = _country_name_words(countries, lex)
    unknown = [
        w
        for w in content
        if w not in ents.vocabulary
        and not find_concepts([w], lex.thesaurus, view.languages)
        and not _function_word(w, lex, view)
        and w not in country_words  # "Republica (Moldova)"
    ]
    # Only proper-noun-like words can be an unknown place ("Is Tampere in a network?"):
    # lower-case unknown words are topic words in a language the cards are not written in.
    # A first word is capitalised anyway: not a place when the language's question phrases
    # have it ("Pot orașele…": "can"; "Miskolc részt vesz…" stays a place).
    said = re.findall(r"\w+", question)
    phrase_words = {
        w for kind in ("eligibility", "join_strong", "join_how", "join_weak", "call", *ASK_KINDS)
        for stem in view.stems[kind].stems for w in stem.split()
    }  # fmt: skip
    # "Gab es da einen polnischen Partner?": a first word beside a nationality is a verb
    first_ok = not (said and (fold(said[0]) in phrase_words or countries))
    caps = [w for i, w in enumerate(said) if w[:1].isupper() and (i or first_ok)]
    capitalised = {fold(w) for w in caps if not w.isupper()}  # not "FEDER": an acronym
    starts = {fold(w) for w in re.findall(r"[.?!]\s*[¿¡]?(\w+)", question)}  # "… ¿Podían …?"
    named = [w for w in unknown if w in capitalised - starts]  # "Est-ce que Montpellier …?"
    topical_words = any(c.kind == "topic" for c in concepts)
    place_like = 0 < len(named) <= 2 and len(content) - len(named) <= 1 and not topical_words
    # "Has Galway ever been part of an URBACT network?": a place and a network, nothing else
    joining = strong_join or weak_join or st["eligibility"].search(remaining)
    membership = membership or (bool(set(remaining.split()) & view.network_words) and not joining)
    personal = personal or _asks_for_themself(
        question, folded_phrase, remaining, cities, content, networks, concepts, view, unknown
    )
    eligible_lead = (
        bool(st["eligibility"].search(remaining))
        and ("lead" in asks or any(c.id == "lead-partner" for c in concepts))
        and not any(c.kind == "topic" and c.id not in ASKER_CONCEPTS for c in concepts)
    )
    mentions_other = st["other_programmes"].search(remaining) or bool(
        re.search(r"\bLIFE\b", question)
    )
    if (
        (mentions_other and "urbact" not in folded_phrase)
        or st["injection"].search(folded_phrase)
        or (st["off_topic"].search(remaining) and not networks)
        or personal
    ):
        kind: Kind = "out_of_scope"
    elif networks:
        kind = "network"
    elif cities and (participation or len(tokens(question)) <= 3 or led_by) and not city_join:
        kind = "city"
    elif membership and place_like:
        kind = "city"  # "is Tampere in a network?": a place the corpus does not know
    elif strong_join or weak_join or eligible_lead:  # "Wie mag lead partner zijn?"
        kind = "join"
    else:
        kind = "topic"
    typed = {fold(w): w for w in said}  # "Jyväskylä" as written, not folded
    unknown_names = tuple(typed.get(w, w) for w in named) if kind == "city" and not cities else ()
    # "Er der netværk om frivillighed …?": a topic beside weak signs of joining (retriever decides)
    joining = join_words or st["eligibility"].search(beyond_topics) or st["call"].search(remaining)
    about = any(c.kind == "topic" and c.id not in ASKER_CONCEPTS for c in concepts)
    # A question about local work that names neither URBACT, a network nor the programme's
    # own things ("Wie kann unsere Stadtverwaltung ihre Ausschreibungen so gestalten …?")
    explicit = bool(
        any(w.startswith("urbact") for w in folded_phrase.split())  # "URBACTis"
        or set(remaining.split()) & view.network_words
        or net_type
        or programme
        or eligible_lead
        or any(c.kind == "programme" and c.id not in WEAK_PROGRAMME for c in concepts)
    )
    maybe_topic = kind == "join" and (about and not joining or not explicit)
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
        filter_only=bool(status or net_type or programme or countries)
        and not (content if not view.languages else set(content) - set(unknown)),
        content=tuple(content),
        intents=_intents(remaining, concepts, view),
        years=tuple(sorted({int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", folded_phrase)})),
        led_by=led_by,
        asks=asks,
        personal=personal,
        maybe_topic=maybe_topic,
        # not "Welche Netzwerke gibt es …?", "how many are there?": a list, a number
        exists=bool(st["ask_exists"].search(folded_phrase)) and not {"which", "count"} & set(asks),
    )


def _function_word(word: str, lex: Lexicon, view: View) -> bool:
    """A question or function word of any supported language ("quantos", "combien"), or a
    word of what is asked: never an unknown place."""
    if any(word in lang.stop_words for lang in lex.languages.values()):
        return True
    kinds = (*ASK_KINDS, *FOLLOW_UP_KINDS, *ASKER_KINDS)  # "Lesquels", "near": not places
    return any(view.stems[kind].search(f" {word} ") for kind in kinds)


WHICH_NETWORK = re.compile(r" (?:which|what) networks?\b")


def _intents(text: str, concepts: list[Concept], view: View) -> tuple[str, ...]:
    ids = {c.id for c in concepts}
    intents = []
    if "call-for-proposals" in ids or view.stems["call"].search(text):
        intents.append("call")
    if "how-to-join" in ids or view.stems["join_weak"].search(text):
        intents.append("join")
    if ids & {"eligibility", "co-financing-budget"} or view.stems["eligibility"].search(text):
        intents.append("eligibility")
    if ids & {"national-urbact-point", "secretariat-contact"}:
        intents.append("nup")
    return tuple(intents)


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
    folded = phrase(question)
    view = ents.lexicon.view(folded, ents.language(question))
    pointing_back = bool(view.stems["of_those"].search(f" {query.topic} "))
    if follows_on(question) and (pointing_back or not set(query.concepts) & ents.topics):
        return f"{previous} {question}"  # "and in Italy?"; not "et sur les violences … ?"
    # "Has an Irish council ever led an URBACT network?": filters, "URBACT" and a word for
    # "network", nothing that points back ("of those"), is a question of its own; "A które to
    # sieci transferowe?" narrows what was shown.
    own = (
        (query.countries or query.status or query.type or query.led_by)
        and names_urbact_networks(set(folded.split()), view)
        and not pointing_back
    )
    if not query.content and not own:
        return f"{previous} {question}"
    return question


def matches_filters(card: NetworkCard, query: Query, today) -> bool:
    """Whether a network satisfies the status/type/programme/country filters of the query."""
    if query.status and card.status(today) != query.status:
        return False
    if query.type and card.type != query.type:
        return False
    if query.programme and card.programme != query.programme:
        return False
    if query.countries and query.led_by:
        lead = card.lead_partner
        return lead is not None and lead.country in query.countries
    return not (query.countries and not set(query.countries) & set(card.countries))
