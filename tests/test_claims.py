"""The check of an LLM answer's statements against the cards it cites (``answering/claims``):
lead partners, partner cities, periods and status, in several languages; precision first."""

from __future__ import annotations

import re
import time

import pytest

from urbact_assistant.answering.claims import (
    ClaimChecker,
    Places,
    cited_sentences,
    complete_upto,
)
from urbact_assistant.knowledge.corpus import load_corpus
from urbact_assistant.understanding.questions import Entities

from .conftest import CORPUS, TODAY


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS, TODAY)


@pytest.fixture(scope="module")
def places(corpus):
    return Places(Entities.from_corpus(corpus))


@pytest.fixture(scope="module")
def check(corpus, places):
    """``check(text, language, *slugs)``: the contradictions found, the slugs being the cards
    numbered [1], [2]... (Remote-IT, ended, led from Dubrovnik; Human Power Hub, ongoing until
    April 2028, led by Braga)."""
    cards = corpus.by_slug()

    def run(text: str, language: str = "en", *slugs: str):
        chosen = [cards[s] for s in slugs or ("remote-it", "human-power-hub")]
        return ClaimChecker(chosen, TODAY, language, places).check(text)

    return run


TRUE = [
    ("en", "Remote-IT is led by the Dubrovnik Development Agency DURA (HR) [1]."),
    ("en", "Dubrovnik leads Remote-IT [1]."),
    ("en", "The lead partner of Remote-IT is Dubrovnik, and its partners include Tartu and Murcia [1]."),
    ("en", "Remote-IT ran from June 2023 to December 2025 and has ended [1]."),
    ("en", "Remote-IT (Jun 2023 – Dec 2025) has ended [1]."),
    ("en", "Human Power Hub, led by Braga, is ongoing until April 2028 [2]."),
    ("en", "Gdańsk, Málaga and Leipzig are partners of Human Power Hub [2]."),
    ("en", "Remote-IT addresses the ongoing shift to remote work [1]."),
    ("en", "Remote-IT was ongoing until December 2025 [1]."),
    ("fr", "Remote-IT est piloté par Dubrovnik et réunit Tartu, Murcia et Brindisi [1]."),
    ("fr", "Remote-IT s'est déroulé de juin 2023 à décembre 2025 et est terminé [1]."),
    ("fr", "Le réseau Human Power Hub, dont Braga est chef de file, est en cours [2]."),
    ("de", "Remote-IT wurde von der Dubrovnik Development Agency DURA geleitet und lief von "
           "Juni 2023 bis Dezember 2025 [1]."),
    ("de", "Human Power Hub wird von Braga geleitet; zu den Partnern gehören Gdańsk, Málaga "
           "und Leipzig [2]."),
    ("de", "Das Netzwerk Human Power Hub ist laufend [2]."),
    ("it", "Remote-IT ha come capofila Dubrovnik ed è conclusa [1]."),
    ("es", "Human Power Hub está liderada por Braga y sigue en curso [2]."),
    ("pt", "A Remote-IT é liderada por Dubrovnik e está concluída [1]."),
    ("nl", "Human Power Hub wordt geleid door Braga en loopt nog [2]."),
]  # fmt: skip


@pytest.mark.parametrize(("language", "text"), TRUE)
def test_true_statements_pass(check, language, text):
    assert check(text, language) == []


FALSE = [
    ("en", "Paris and Berlin are lead partners of Remote-IT [1].", {"lead"}),
    ("en", "Remote-IT is ongoing until 2030 [1].", {"status", "period"}),
    ("en", "Paris leads Remote-IT [1].", {"lead"}),
    ("en", "The lead partner of Remote-IT is Paris [1].", {"lead"}),
    ("en", "Remote-IT's partners include Tartu, Murcia and Paris [1].", {"partner"}),
    ("en", "Remote-IT ran from 2019 to 2022 [1].", {"period"}),
    ("en", "Human Power Hub has ended [2].", {"status"}),
    ("en", "Murcia is the lead partner of Remote-IT [1].", {"lead"}),  # a partner, not the lead
    ("fr", "Paris et Berlin sont les chefs de file de Remote-IT [1].", {"lead"}),
    ("fr", "Remote-IT est en cours jusqu'en 2030 [1].", {"status", "period"}),
    ("fr", "Remote-IT est piloté par Paris [1].", {"lead"}),
    ("de", "Remote-IT wird von Paris und Berlin geleitet [1].", {"lead"}),
    ("de", "Remote-IT läuft noch bis 2030 [1].", {"status", "period"}),
    ("de", "Zu den Partnern von Remote-IT gehören Tartu, Murcia und Berlin [1].", {"partner"}),
    ("es", "Remote-IT sigue en curso y está liderada por París [1].", {"lead", "status"}),
    ("it", "Human Power Hub è conclusa [2].", {"status"}),
]  # fmt: skip


@pytest.mark.parametrize(("language", "text", "kinds"), FALSE)
def test_false_statements_are_found(check, language, text, kinds):
    found = check(text, language)
    assert {c.kind for c in found} == kinds
    assert all(c.sentence == text for c in found)


def test_the_reason_says_what_the_card_says(check):
    (lead,) = check("Paris and Berlin are lead partners of Remote-IT [1].")
    assert lead.reason() == (
        "it names Berlin, Paris as lead partner of Remote-IT; the card says Dubrovnik"
    )
    reasons = sorted(c.reason() for c in check("Remote-IT is ongoing until 2030 [1]."))
    assert reasons == [
        "it dates Remote-IT to 2030; the card says Jun 2023 – Dec 2025",
        'it says Remote-IT is "ongoing"; by the card\'s dates it is ended today',
    ]


NEGATED = [
    ("en", "Tartu is not the lead partner of Remote-IT [1]."),
    ("en", "Berlin is not a partner of Remote-IT; its partners are Brindisi, Bucharest, "
           "Câmara de Lobos, Heraklion, Murcia, Tartu and Tirana [1]."),
    ("en", "Remote-IT is no longer ongoing [1]."),
    ("en", "Besides the lead partner, Remote-IT has Tartu and Murcia as partners [1]."),
    ("fr", "Berlin n'est pas partenaire de Remote-IT [1]."),
    ("fr", "Tartu n'est pas chef de file de Remote-IT [1]."),
    ("de", "Berlin ist kein Partner von Remote-IT [1]."),
    ("de", "Tartu ist nicht der Lead-Partner von Remote-IT [1]."),
    ("it", "Berlino non è partner di Remote-IT e Parigi non la guida [1]."),
    ("es", "París no es socio de Remote-IT [1]."),
]  # fmt: skip


@pytest.mark.parametrize(("language", "text"), NEGATED)
def test_negated_sentences_are_never_flagged(check, language, text):
    assert check(text, language) == []


def test_questions_and_uncited_text_are_not_judged(check):
    assert check("Is Paris the lead partner of Remote-IT [1]?") == []
    assert check("Paris leads Remote-IT.") == []  # no marker at all: the uncited rule's job
    assert check("Paris leads Remote-IT [9].") == []  # a marker that points to no card


def test_statements_about_another_network_are_not_judged_against_the_cited_card(check):
    # GenProcure is named, not cited: "led by Vila Nova de Famalicão" is not about Remote-IT.
    text = "Like GenProcure, led by Vila Nova de Famalicão, Remote-IT is an Action Planning Network [1]."
    assert check(text) == []
    text = "After the first network (2018–2021), Remote-IT started in June 2023 [1]."
    assert check(text) == []


def test_a_sentence_is_covered_by_the_next_marker_of_its_paragraph(check):
    found = check("Remote-IT's lead partner is Paris. It works on remote work [1].")
    assert [c.kind for c in found] == ["lead"]
    found = check("Remote-IT works on remote work [1]. Its lead partner is Paris.")
    assert [c.kind for c in found] == ["lead"]
    assert cited_sentences("A [1]. B. C [2].\nD.") == [
        ("A [1].", [1]), (" B.", [2]), (" C [2].", [2]), ("D.", []),
    ]  # fmt: skip


def test_answers_in_a_language_without_claim_words_are_not_checked(check):
    assert check("Remote-IT leds av Paris och pågår till 2030 [1].", "sv") == []


def test_drafts_show_only_complete_cited_sentences():
    assert complete_upto("Remote-IT works on remote work [1]. Its lead") == len(
        "Remote-IT works on remote work [1]."
    )
    # The markers after a full stop belong to the sentence before them.
    text = "Paris leads Remote-IT. [1] More"
    assert complete_upto(text) == len("Paris leads Remote-IT. [1]")
    assert complete_upto("Paris leads Remote-IT. [1]") == 0  # its markers may still come
    assert complete_upto("Paris leads Remote-IT. More text.") == 0  # nothing cited yet


def test_card_texts_read_as_answers_raise_almost_no_false_alarms(corpus, places):
    """Every sentence of every network card's own text, cited as [1] to that card: these are
    true by definition, so each contradiction found is a false alarm. They are rare, and
    only where a card's text names another network or a practice by the network's name."""
    sentences = flagged = 0
    start = time.perf_counter()
    for card in corpus.networks:
        body = " ".join(card.body.split())
        parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", body)
        text = " ".join(p.rstrip(".") + " [1]." for p in parts)
        sentences += len(parts)
        flagged += len(ClaimChecker([card], TODAY, "en", places).check(text))
    per_card_ms = (time.perf_counter() - start) * 1000 / len(corpus.networks)
    assert sentences > 1000
    assert flagged / sentences < 0.005, flagged
    assert per_card_ms < 20  # a whole card's text (longer than an answer) in a few ms
