"""The language files (``data/languages/<code>.yaml``): well-formed, complete, and safe for
questions in the other languages; the main languages' files apply to every question."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pytest
import yaml

from urbact_assistant.answering.claims import CLAIM_KINDS
from urbact_assistant.core.text import phrase, tokens
from urbact_assistant.understanding.language import SUPPORTED
from urbact_assistant.understanding.lexicon import (
    ASKER_KINDS,
    FOLLOW_UP_KINDS,
    STEM_KINDS,
    TYPE_KINDS,
    Lexicon,
    find_concepts,
    language_files,
    load_data,
    network_words,
)

FOLDER = files("urbact_assistant").joinpath("data", "languages")
CODES = sorted(f.name[:-5] for f in FOLDER.iterdir() if f.name.endswith(".yaml"))
EU_LANGUAGES = {
    "bg", "cs", "da", "el", "et", "fi", "ga", "hr", "hu", "lt", "lv", "mt", "ro", "sk", "sl", "sv",
}  # fmt: skip
MAIN_LANGUAGES = {"en", "fr", "de", "it", "es", "pl", "pt", "nl"}
COUNTRIES = set(load_data("demonyms"))
assert all(isinstance(c, str) and len(c) == 2 for c in COUNTRIES), COUNTRIES  # "NO": not false
THESAURUS = load_data("thesaurus")


@cache
def language_file(code: str) -> dict:
    """A language file as written (three tests read each one: parse it once)."""
    return yaml.safe_load(FOLDER.joinpath(f"{code}.yaml").read_text(encoding="utf-8"))


# The schema of a language file: its sections, and the keys every file has in them.
REQUIRED = {"language", "words", "stems", "types", "demonyms", "concepts"}
REQUIRED_WORDS = {"network", "city", "in"}
REQUIRED_STEMS = set(STEM_KINDS) - {
    "led_by",
    "ambiguous_ongoing",
    "ambiguous_ended",
    "ambiguous_upcoming",
    "ask_which",
    *FOLLOW_UP_KINDS,
    *ASKER_KINDS,
}
REQUIRED_TYPES = {"action-planning", "transfer", "implementation"}
# Acronyms shorter than three letters, allowed in the main languages' files only.
SHORT_ACRONYMS = {"tn"}


def test_every_eu_language_beyond_the_main_eight_has_a_file():
    assert set(CODES) >= EU_LANGUAGES


def test_the_main_languages_have_files_that_always_apply():
    always = {code for code, data in language_files().items() if data.get("always")}
    assert always == MAIN_LANGUAGES
    assert set(CODES) >= MAIN_LANGUAGES


@pytest.mark.parametrize("code", CODES)
def test_every_language_file_has_every_required_key(code):
    data = language_file(code)
    assert set(data) >= REQUIRED, f"missing {REQUIRED - set(data)}"
    assert set(data) <= REQUIRED | {"always", "claims"}
    assert data.get("always", False) is (code in MAIN_LANGUAGES)
    assert set(data["words"]) == REQUIRED_WORDS
    for section, keys in (("stems", REQUIRED_STEMS), ("types", REQUIRED_TYPES)):
        assert set(data[section]) >= keys, f"{section}: missing {keys - set(data[section])}"
    for section in ("words", "stems", "types", "demonyms", "concepts"):
        assert isinstance(data[section], dict), section


@pytest.mark.parametrize("code", CODES)
def test_a_language_file_is_complete_and_well_formed(code):
    data = language_file(code)
    assert data["language"] == code
    assert set(data["stems"]) <= set(STEM_KINDS)
    assert set(data["types"]) <= set(TYPE_KINDS)
    assert set(data["demonyms"]) <= COUNTRIES | {"CH", "IS", "XK", "LU", "CY", "MT"}
    # a country code YAML reads as something else (NO: false) finds no country
    assert all(isinstance(c, str) and c.isupper() and len(c) == 2 for c in data["demonyms"])
    thesaurus = THESAURUS
    if all(code in entry for entry in thesaurus.values()):  # English: in the thesaurus itself
        assert data["concepts"] == {}
    else:
        assert set(data["concepts"]) == set(thesaurus), "every concept, no other"
    for words in data["words"].values():
        assert isinstance(words, list) and words
    for section in ("stems", "types", "demonyms", "concepts"):
        for key, terms in data[section].items():
            assert isinstance(terms, list) and terms, f"{section}.{key}"
            for term in terms:
                words = tokens(str(term))
                assert words, f"{section}.{key}: {term!r} folds to nothing"
                if section == "concepts":
                    assert len(words[0]) >= 3, f"{section}.{key}: {term!r}"
                elif key == "me" and str(term).endswith(" "):
                    pass  # pronouns are short ("je", "я"); these match whole words only
                elif len(words) == 1 and not (data.get("always") and term in SHORT_ACRONYMS):
                    assert len(words[0]) >= 3, f"{section}.{key}: {term!r} is too broad"


@pytest.mark.parametrize("code", CODES)
def test_the_claim_words_of_a_language_are_well_formed(code):
    """The words the check of LLM answers reads statements with: every kind in each main
    language (the answers it checks), none in the others (not checked)."""
    data = language_file(code)
    claims = data.get("claims")
    if code not in MAIN_LANGUAGES:
        assert claims is None
        return
    assert set(claims) == set(CLAIM_KINDS)
    for kind, terms in claims.items():
        assert isinstance(terms, list) and terms, kind
        assert len(set(terms)) == len(terms), f"{kind}: a term twice"
        for term in terms:
            assert isinstance(term, str) and tokens(term), f"claims.{kind}: {term!r}"


MAIN_LANGUAGE_QUESTIONS = [
    "which networks tackle remote work?",
    "Quels réseaux travaillent sur le télétravail ?",
    "Welche Netzwerke arbeiten zur Kreislaufwirtschaft?",
    "reti che lavorano sulla sicurezza urbana",
    "¿Qué redes trabajan sobre la alimentación escolar?",
    "sieci miast o zamówieniach publicznych",
    "redes sobre habitação acessível",
    "welke netwerken werken aan vergroening van steden?",
    "fuite des cerveaux : quels réseaux aident à retenir les talents ?",
]


@pytest.mark.parametrize("question", MAIN_LANGUAGE_QUESTIONS)
def test_questions_in_the_main_languages_use_no_language_file(question):
    assert not Lexicon.load().languages_of(phrase(question).split())


def test_the_main_languages_tables_apply_to_every_question():
    lexicon = Lexicon.load()
    english = lexicon.view(phrase("which networks are ongoing?"))
    assert not english.languages
    # A French word for "ongoing", a Dutch word for "network", in an English question.
    assert english.stems["ongoing"].search(phrase("networks en cours"))
    assert "netwerken" in english.network_words
    # A French term of a concept is found in any question.
    concepts = {c.id for c in find_concepts(["teletravail"], lexicon.thesaurus)}
    assert concepts == {"remote-work"}


def test_the_words_for_network_have_one_source():
    from urbact_assistant.search.lexical import stop_words

    assert network_words() == Lexicon.load().main.words["network"]
    assert {"network", "reseaux", "netzwerke", "sieci", "netwerken"} <= network_words()
    assert network_words() <= stop_words()


@pytest.mark.parametrize("code", sorted(SUPPORTED))
def test_every_supported_language_has_the_follow_up_and_asker_words(code):
    stems = language_file(code)["stems"]
    for kind in (*FOLLOW_UP_KINDS, *ASKER_KINDS, "ask_which", "led_by"):
        assert stems.get(kind), f"{code}: no {kind}"


def test_a_place_named_outweighs_a_stop_word_of_another_language(assistant):
    # "Silla" is a Spanish town in CityLake and Finnish "sillä"
    assert assistant.ask("¿Participa Silla en CityLake?").language == "es"
