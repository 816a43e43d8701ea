"""The language files (``data/languages/<code>.yaml``): well-formed, complete, and safe for
questions in the other languages."""

from __future__ import annotations

from importlib.resources import files

import pytest
import yaml

from urbact_assistant.core.text import phrase, tokens
from urbact_assistant.understanding.lexicon import STEM_KINDS, TYPE_STEMS, Lexicon, load_data

FOLDER = files("urbact_assistant").joinpath("data", "languages")
CODES = sorted(f.name[:-5] for f in FOLDER.iterdir() if f.name.endswith(".yaml"))
EU_LANGUAGES = {
    "bg", "cs", "da", "el", "et", "fi", "ga", "hr", "hu", "lt", "lv", "mt", "ro", "sk", "sl", "sv",
}  # fmt: skip
COUNTRIES = set(load_data("demonyms"))


def test_every_eu_language_beyond_the_main_eight_has_a_file():
    assert set(CODES) >= EU_LANGUAGES


@pytest.mark.parametrize("code", CODES)
def test_a_language_file_is_complete_and_well_formed(code):
    data = yaml.safe_load(FOLDER.joinpath(f"{code}.yaml").read_text(encoding="utf-8"))
    assert data["language"] == code
    assert set(data) <= {"language", "words", "stems", "types", "demonyms", "concepts"}
    assert set(data["words"]) == {"network", "city", "in"}
    assert set(data["stems"]) <= set(STEM_KINDS) and "join_strong" in data["stems"]
    assert set(data["types"]) <= set(TYPE_STEMS)
    assert set(data["demonyms"]) <= COUNTRIES | {"NO", "CH", "IS", "XK", "LU", "CY", "MT"}
    assert set(data["concepts"]) == set(load_data("thesaurus")), "every concept, no other"
    for section in ("stems", "types", "demonyms", "concepts"):
        for key, terms in data[section].items():
            assert isinstance(terms, list) and terms, f"{section}.{key}"
            for term in terms:
                words = tokens(str(term))
                assert words, f"{section}.{key}: {term!r} folds to nothing"
                if section == "concepts":
                    assert len(words[0]) >= 3, f"{section}.{key}: {term!r}"
                elif len(words) == 1:
                    assert len(words[0]) >= 3, f"{section}.{key}: {term!r} is too broad"


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
